using System.Net;
using Handoff.Host.Hosting;
using Handoff.Testing;

namespace Handoff.IntegrationTests.Hosting;

public sealed class HostRolesTests
{
    [Fact]
    public async Task The_embedded_default_answers_live_and_ready_with_200()
    {
        await using var host = await RunningHost.StartAsync(new Dictionary<string, string?>(), Build);

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task The_host_describes_its_api_as_an_openapi_document()
    {
        await using var host = await RunningHost.StartAsync(new Dictionary<string, string?>(), Build);
        var document = await host.Http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/agents/{agentId}/handoff", document);
        Assert.Contains("/v1/human/message/receive", document);
    }

    [Fact]
    public async Task Postgres_mode_applies_the_schema_to_an_empty_database_and_becomes_ready()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("host");
        await using var host = await RunningHost.StartAsync(new Dictionary<string, string?>
        {
            ["Handoff:Storage"] = "postgres",
            ["ConnectionStrings:Handoff"] = connectionString,
            ["Handoff:Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["Handoff:Cluster:ClusterId"] = "host-test",
        }, Build);

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/health/ready")).StatusCode);
        var members = await Storage.SchemaTests.QueryAsync(connectionString,
            "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = 'host-test' AND Status = 3", r => r.GetInt64(0));
        Assert.Equal(1, members.Single());
    }

    [Fact]
    public async Task A_frontend_node_serves_the_web_as_a_client_of_the_cluster()
    {
        var gatewayPort = FreePorts.Next().ToString();
        await using var silo = await RunningHost.StartAsync(new Dictionary<string, string?> { ["Handoff:Cluster:GatewayPort"] = gatewayPort }, Build);
        await using var frontend = await RunningHost.StartAsync(new Dictionary<string, string?>
        {
            ["Handoff:Role"] = "frontend",
            ["Handoff:Cluster:GatewayPort"] = gatewayPort,
        }, Build);

        var ready = await frontend.Http.GetStringAsync("/health/ready");
        Assert.Equal("Healthy", ready);
        Assert.Null(frontend.App.Services.GetService(typeof(Orleans.Runtime.ILocalSiloDetails)));
    }

    [Fact]
    public async Task The_embedded_default_has_a_demo_agent_paired_with_the_reference_desk()
    {
        await using var desk = await FakeWebhookDesk.StartAsync();
        var pairing = Path.Combine(Path.GetTempPath(), $"handoff-test-{Guid.NewGuid():N}", "desk.json");
        await using var host = await RunningHost.StartAsync(new Dictionary<string, string?>
        {
            ["Handoff:Demo:Enabled"] = "true",
            ["Handoff:Demo:DeskUrl"] = desk.BaseUrl,
            ["Handoff:Demo:PairingFile"] = pairing,
        }, Build);

        var until = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(pairing) && DateTime.UtcNow < until) await Task.Delay(50);
        using var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(pairing));
        var key = json.RootElement.GetProperty("Desk").GetProperty("ReceivingKey").GetString();
        Assert.StartsWith("demo.", key);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pairing));
        }

        // The key is the demo agent's: accepted (then 404: no such hand-off), where a wrong one is 401.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/human/message/receive")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { conversation_id = "h-none", body = "hi" }),
        };
        request.Headers.Authorization = new("Bearer", key);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.SendAsync(request)).StatusCode);
        Directory.Delete(Path.GetDirectoryName(pairing)!, recursive: true);
    }

    [Theory]
    [InlineData("Handoff:Role", "everything")]
    [InlineData("Handoff:Storage", "redis")]
    public void A_bad_role_or_storage_value_stops_start_up_with_a_message_naming_the_key(string key, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => HandoffApp.Build([$"--{key}={value}"]));
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Postgres_storage_without_a_connection_string_stops_start_up()
    {
        var error = Assert.Throws<InvalidOperationException>(() => HandoffApp.Build(["--Handoff:Storage=postgres"]));
        Assert.Contains("ConnectionStrings:Handoff", error.Message);
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Build(string[] args) => HandoffApp.Build(args);
}
