using Microsoft.AspNetCore.SignalR.Client;
using System.Net.Http.Json;
using Handoff.Host.Hosting;
using Handoff.Testing;
using Microsoft.Playwright;

namespace Handoff.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class OperatorConsoleTests(ChromiumFixture chromium)
{
    private const string AdminKey = "console-admin-key-0123456789";

    [Fact]
    public async Task An_operator_sets_a_service_period_sees_the_preview_and_connects_a_help_desk()
    {
        await using var desk = await FakeWebhookDesk.StartAsync();
        await using var host = await RunningHost.StartAsync(new Dictionary<string, string?> { ["Handoff:AdminApiKey"] = AdminKey }, args => HandoffApp.Build(args));
        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseAddress, "/console").ToString());

        await page.GetByLabel("Admin key").FillAsync("wrong-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("refused");
        await page.GetByLabel("Admin key").FillAsync(AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();

        await page.GetByLabel("New agent id").FillAsync("shop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.Locator("#agent-title")).ToHaveTextAsync("shop");

        // A bad period shows the API's own validation message; a good one is saved and previewed.
        await page.GetByLabel("Settings (JSON, as in the API)").FillAsync("""{ "servicePeriods": [ { "type": "date", "date": "2024-12-12", "start": "18:00", "end": "09:00" } ] }""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Assertions.Expect(page.Locator("#settings-errors")).ToContainTextAsync("servicePeriods[0].end: must be after start");
        await page.GetByLabel("Settings (JSON, as in the API)").FillAsync("""
            { "timeZone": "Europe/Berlin", "servicePeriods": [
              { "type": "weekly", "days": ["thursday"], "start": "09:00", "end": "12:00" },
              { "type": "date", "date": "2024-12-12", "start": "10:00", "end": "12:00" },
              { "type": "date", "date": "2024-12-12", "start": "13:00", "end": "18:00" },
              { "type": "weekly", "days": ["thursday"], "start": "15:00", "end": "17:00" } ] }
            """);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Assertions.Expect(page.Locator("#settings-errors li")).ToHaveCountAsync(0);
        await page.GetByLabel("Date").FillAsync("2024-12-12");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Assertions.Expect(page.Locator("#windows")).ToHaveTextAsync("2024-12-12 (Europe/Berlin): 09:00–12:00, 13:00–18:00");

        await page.GetByLabel("Settings (JSON)", new() { Exact = true }).FillAsync($$"""{ "url": "{{desk.BaseUrl}}", "password": "secret-pass-1234" }""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect and verify" }).ClickAsync();
        await Assertions.Expect(page.Locator("#desk-status")).ToHaveTextAsync("available");
        await Assertions.Expect(page.Locator("#receiving-address")).ToContainTextAsync("/v1/human/message/receive");
        Assert.DoesNotContain("secret-pass-1234", await page.ContentAsync());

        // A conversation that asks for a human shows up in the live list.
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        await using var chat = await ChatClient.StartAsync(host.BaseAddress, "shop", email: "a@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        await Assertions.Expect(page.Locator("#live tr")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("a@example.com");
        await Screenshots.TakeAsync(page, "operator-console.png", fullPage: true);

        await page.CloseAsync();
    }
}
