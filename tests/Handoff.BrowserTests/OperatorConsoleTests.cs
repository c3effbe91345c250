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

    [Fact]
    public async Task An_operator_authorises_zoho_salesiq_from_the_console_and_picks_the_department()
    {
        await using var zoho = await FakeZohoSalesIq.StartAsync();
        await using var host = await RunningHost.StartAsync(new Dictionary<string, string?>
        {
            ["Handoff:AdminApiKey"] = AdminKey,
            ["Handoff:HelpDesks:ZohoSalesIq:ApiBaseUrl"] = zoho.BaseUrl,
            ["Handoff:HelpDesks:ZohoSalesIq:AccountsBaseUrl"] = zoho.BaseUrl,
        }, args => HandoffApp.Build(args));
        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseAddress, "/console").ToString());
        await page.GetByLabel("Admin key").FillAsync(AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();
        await page.GetByLabel("New agent id").FillAsync("salesiq");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.Locator("#agent-title")).ToHaveTextAsync("salesiq");

        await page.GetByLabel("Kind").SelectOptionAsync("zoho-salesiq");
        await Assertions.Expect(page.Locator("#desk-settings")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("screenName"));
        await page.GetByLabel("Settings (JSON)", new() { Exact = true }).FillAsync(
            $$"""{ "clientId": "{{zoho.ClientId}}", "clientSecret": "{{zoho.ClientSecret}}", "screenName": "{{zoho.ScreenName}}", "region": "eu" }""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect and verify" }).ClickAsync();
        await Assertions.Expect(page.Locator("#desk-status")).ToHaveTextAsync("not-configured");
        await Assertions.Expect(page.Locator("#receiving-address")).ToContainTextAsync("/webhooks/zoho-salesiq/");

        var consent = await page.RunAndWaitForPopupAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Authorise with Zoho" }).ClickAsync());
        await Assertions.Expect(consent.Locator("h1")).ToHaveTextAsync("Zoho SalesIQ is connected", new() { Timeout = 10_000 });
        Assert.StartsWith(new Uri(host.BaseAddress, "/api/console/bot/zoho/salesiq/org/redirect").ToString(), consent.Url);
        await consent.CloseAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Check status" }).ClickAsync();
        await Assertions.Expect(page.Locator("#desk-status")).ToHaveTextAsync("available");
        await page.GetByRole(AriaRole.Button, new() { Name = "Load departments" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Service group (department)").Locator("option")).ToHaveCountAsync(3);
        await page.GetByLabel("Service group (department)").SelectOptionAsync("19367000000009999");
        await Assertions.Expect(page.Locator("#desk-settings")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"departmentId\": \"19367000000009999\""));
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect and verify" }).ClickAsync();
        await Assertions.Expect(page.Locator("#desk-status")).ToHaveTextAsync("available");
        await Assertions.Expect(page.Locator("#desk-detail")).Not.ToContainTextAsync("no departmentId");
        Assert.Single(zoho.Webhooks);
        await Screenshots.TakeAsync(page, "operator-console-zoho.png", fullPage: true);
        await page.CloseAsync();
    }
}
