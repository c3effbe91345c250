using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Handoff.IntegrationTests.Conversations;

namespace Handoff.IntegrationTests.Agents;

public sealed class OperatorApiTests
{
    [Fact]
    public async Task An_empty_put_enables_hand_off_with_the_defaults_and_get_shows_them()
    {
        await using var h = await HandoffTestHost.StartAsync();

        (await h.Admin.PutAsJsonAsync("/api/agents/shop-1/handoff", new { texts = new { waiting = "Hang on!" } })).EnsureSuccessStatusCode();
        var body = await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/shop-1/handoff");

        Assert.True(body.GetProperty("enabled").GetBoolean());
        Assert.Equal("channel-to-helpdesk", body.GetProperty("mode").GetString());
        Assert.Equal(60, body.GetProperty("waitTimeoutSeconds").GetInt32());
        Assert.Equal(180, body.GetProperty("sessionTimeoutSeconds").GetInt32());
        Assert.Equal(10, body.GetProperty("historyMessageCount").GetInt32());
        Assert.Equal("UTC", body.GetProperty("timeZone").GetString());
        Assert.Equal("Hang on!", body.GetProperty("texts").GetProperty("waiting").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("texts").GetProperty("askEmail").GetString()));
        Assert.Equal("not-configured", body.GetProperty("helpDeskStatus").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await h.Admin.GetAsync("/api/agents/never-made/handoff")).StatusCode);
    }

    [Fact]
    public async Task Bad_settings_are_refused_with_errors_keyed_by_field()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var response = await h.Admin.PutAsJsonAsync("/api/agents/shop-2/handoff", new
        {
            mode = "sideways",
            waitTimeoutSeconds = 0,
            timeZone = "Mars/Olympus",
            historyMessageCount = 51,
            servicePeriods = new object[]
            {
                new { type = "weekly", days = new[] { "funday" }, start = "09:00", end = "17:00" },
                new { type = "date", date = "2024-13-01", start = "18:00", end = "09:00" },
            },
            texts = new { nonsense = "x" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "mode", "waitTimeoutSeconds", "timeZone", "historyMessageCount", "servicePeriods[0].days", "servicePeriods[1].date", "servicePeriods[1].end", "texts.nonsense" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await h.Admin.GetAsync("/api/agents/shop-2/handoff")).StatusCode); // nothing stored

        var tooMany = Enumerable.Range(0, 11).Select(_ => new { type = "weekly", days = new[] { "monday" }, start = "09:00", end = "10:00" });
        var errors11 = (await (await h.Admin.PutAsJsonAsync("/api/agents/shop-2/handoff", new { servicePeriods = tooMany })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors11.TryGetProperty("servicePeriods", out _));
    }

    [Fact]
    public async Task Service_windows_of_a_day_merge_overlapping_rules()
    {
        await using var h = await HandoffTestHost.StartAsync();
        (await h.Admin.PutAsJsonAsync("/api/agents/shop-3/handoff", new
        {
            timeZone = "Europe/Berlin",
            servicePeriods = new object[]
            {
                new { type = "weekly", days = new[] { "thursday" }, start = "09:00", end = "12:00" },
                new { type = "date", date = "2024-12-12", start = "10:00", end = "12:00" },
                new { type = "date", date = "2024-12-12", start = "13:00", end = "18:00" },
                new { type = "weekly", days = new[] { "thursday", "friday" }, start = "15:00", end = "17:00" },
            },
        })).EnsureSuccessStatusCode();

        var body = await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/shop-3/service-windows?date=2024-12-12");

        Assert.Equal("2024-12-12", body.GetProperty("date").GetString());
        Assert.Equal("Europe/Berlin", body.GetProperty("timeZone").GetString());
        Assert.Equal(["09:00-12:00", "13:00-18:00"], body.GetProperty("windows").EnumerateArray().Select(w => $"{w.GetProperty("start")}-{w.GetProperty("end")}"));
        Assert.Empty((await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/shop-3/service-windows?date=2024-12-14")).GetProperty("windows").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await h.Admin.GetAsync("/api/agents/shop-3/service-windows?date=tomorrow")).StatusCode);
    }

    [Fact]
    public async Task A_help_desk_connection_is_verified_masked_and_removable()
    {
        await using var h = await HandoffTestHost.StartAsync();
        (await h.Admin.PutAsJsonAsync("/api/agents/shop-4/handoff", new { })).EnsureSuccessStatusCode();
        var none = await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/shop-4/helpdesk");
        Assert.Equal(JsonValueKind.Null, none.GetProperty("kind").ValueKind);
        Assert.Equal("not-configured", none.GetProperty("status").GetString());

        var put = await h.Admin.PutAsJsonAsync("/api/agents/shop-4/helpdesk",
            new { kind = "webhook", settings = new { url = h.Desk.BaseUrl, username = "u", password = "supersecret-9876" } });
        var body = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", body.GetProperty("status").GetString());
        Assert.EndsWith("9876", body.GetProperty("settings").GetProperty("password").GetString());
        Assert.DoesNotContain("supersecret", body.GetRawText());
        Assert.EndsWith("/v1/human/message/receive", body.GetProperty("receivingAddress").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("receivingKey").GetString()));

        h.Desk.FailWith = 503;
        var verified = await (await h.Admin.PostAsync("/api/agents/shop-4/helpdesk/verify", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unavailable", verified.GetProperty("status").GetString());
        Assert.Contains("503", verified.GetProperty("statusDetail").GetString());

        var deleted = await (await h.Admin.DeleteAsync("/api/agents/shop-4/helpdesk")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("not-configured", deleted.GetProperty("status").GetString());
        Assert.Equal("not-configured", (await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/shop-4/handoff")).GetProperty("helpDeskStatus").GetString());
    }

    [Fact]
    public async Task Bad_help_desk_settings_and_missing_admin_keys_are_refused()
    {
        await using var h = await HandoffTestHost.StartAsync();
        async Task<JsonElement> Errors(object body)
        {
            var response = await h.Admin.PutAsJsonAsync("/api/agents/shop-5/helpdesk", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        }

        Assert.True((await Errors(new { kind = "fax", settings = new { } })).TryGetProperty("kind", out _));
        Assert.True((await Errors(new { kind = "webhook", settings = new { } })).TryGetProperty("settings.url", out _));
        Assert.True((await Errors(new { kind = "webhook", settings = new { url = "https://x.example", colour = "red" } })).TryGetProperty("settings.colour", out _));
        Assert.True((await Errors(new { kind = "webhook", settings = new { url = "ftp://x.example" } })).TryGetProperty("settings.url", out _));
        Assert.True((await Errors(new { kind = "intercom", settings = new { region = "eu" } })).TryGetProperty("settings.accessToken", out _));

        var sobot = await h.Admin.PutAsJsonAsync("/api/agents/shop-5/helpdesk", new { kind = "sobot", settings = new { appId = "a", appKey = "k-123456" } });
        Assert.Equal(HttpStatusCode.OK, sobot.StatusCode);
        var sobotBody = await sobot.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unavailable", sobotBody.GetProperty("status").GetString());
        Assert.Contains("Sobot", sobotBody.GetProperty("statusDetail").GetString()); // its public host: unreachable here, or it refuses "a"

        using var anonymous = new HttpClient { BaseAddress = h.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/agents/shop-5/handoff")).StatusCode);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "wrong-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync("/api/agents/shop-5/handoff", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await h.Admin.PutAsJsonAsync("/api/agents/Bad Id!/handoff", new { })).StatusCode);
    }

    [Fact]
    public async Task Private_desk_addresses_are_refused_when_the_operator_does_not_allow_them()
    {
        await using var h = await HandoffTestHost.StartAsync(new() { ["Handoff:AllowPrivateNetworkTargets"] = "false" });
        var response = await h.Admin.PutAsJsonAsync("/api/agents/shop-6/helpdesk", new { kind = "webhook", settings = new { url = "http://127.0.0.1:9/desk" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("private", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("settings.url")[0].GetString());
    }

    [Fact]
    public async Task Help_desk_secrets_are_encrypted_in_grain_storage()
    {
        var connectionString = await (await Handoff.Testing.PostgresServer.GetAsync()).CreateDatabaseAsync("secrets");
        await using var h = await HandoffTestHost.StartAsync(new()
        {
            ["Handoff:Storage"] = "postgres",
            ["ConnectionStrings:Handoff"] = connectionString,
            ["Handoff:Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["Handoff:AllowPrivateNetworkTargets"] = "true",
        });
        var put = await h.Admin.PutAsJsonAsync("/api/agents/shop-7/helpdesk",
            new { kind = "webhook", settings = new { url = h.Desk.BaseUrl, username = "desk-user", password = "very-secret-password-1" } });
        Assert.Equal("available", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var payloads = await Storage.SchemaTests.QueryAsync(connectionString,
            "SELECT encode(PayloadBinary, 'escape') FROM OrleansStorage WHERE GrainTypeString = 'agent'", r => r.GetString(0));
        var stored = Assert.Single(payloads);
        Assert.Contains("desk-user", stored);
        Assert.DoesNotContain("very-secret-password-1", stored);
    }
}
