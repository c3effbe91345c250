using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Handoff.Desk;
using Handoff.Host.Hosting;
using Handoff.Testing;
using Microsoft.Playwright;

namespace Handoff.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class ReferenceDeskTests(ChromiumFixture chromium)
{
    private const string AdminKey = "desk-browser-admin-key-0123456789";

    [Fact]
    public async Task A_user_in_the_widget_and_a_human_in_the_desk_console_talk_and_the_human_closes()
    {
        await using var host = await RunningHost.StartAsync(new Dictionary<string, string?> { ["Handoff:AdminApiKey"] = AdminKey }, args => HandoffApp.Build(args));
        using var admin = new HttpClient { BaseAddress = host.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var deskPort = FreePorts.Next();
        (await admin.PutAsJsonAsync("/api/agents/desk-demo/handoff", new { })).EnsureSuccessStatusCode();
        var put = await admin.PutAsJsonAsync("/api/agents/desk-demo/helpdesk", new { kind = "webhook", settings = new { url = $"http://127.0.0.1:{deskPort}/human/service" } });
        var receivingKey = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receivingKey").GetString();
        var desk = DeskApp.Build([$"--urls=http://127.0.0.1:{deskPort}", $"--Desk:HandoffBaseUrl={host.BaseAddress}", $"--Desk:ReceivingKey={receivingKey}",
            "--Desk:HumanName=Anna", "--Logging:LogLevel:Default=Warning"]);
        await desk.StartAsync();
        try
        {
            (await admin.PostAsync("/api/agents/desk-demo/helpdesk/verify", null)).EnsureSuccessStatusCode();
            var user = await chromium.Browser.NewPageAsync();
            await user.GotoAsync(new Uri(host.BaseAddress, "/chat/desk-demo?email=erin@example.com").ToString());
            await user.GetByLabel("Your message").FillAsync("my order never came, I need a person");
            await user.GetByLabel("Your message").PressAsync("Enter");
            await Assertions.Expect(user.Locator("#status")).ToHaveTextAsync("Waiting for a person to join…");

            var human = await chromium.Browser.NewPageAsync();
            await human.GotoAsync($"http://127.0.0.1:{deskPort}/");
            await human.Locator("#list-waiting li").First.ClickAsync();
            await Assertions.Expect(human.Locator("#items")).ToContainTextAsync("my order never came, I need a person");
            await human.GetByLabel("Reply to the user").FillAsync("Hi Erin, I am on it.");
            await human.GetByLabel("Reply to the user").PressAsync("Enter");

            await Assertions.Expect(user.Locator(".message.human")).ToContainTextAsync("Hi Erin, I am on it.");
            await Assertions.Expect(user.Locator("#status")).ToHaveTextAsync("Connected to a person");
            await user.GetByLabel("Your message").FillAsync("thank you!");
            await user.GetByLabel("Your message").PressAsync("Enter");
            await Assertions.Expect(human.Locator("#items")).ToContainTextAsync("thank you!", new() { Timeout = 10_000 });

            human.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
            await human.GetByRole(AriaRole.Button, new() { Name = "Close conversation" }).ClickAsync();
            await Assertions.Expect(user.Locator("#status")).ToContainTextAsync("our team ended the conversation", new() { Timeout = 10_000 });
        }
        finally
        {
            await desk.StopAsync();
            await desk.DisposeAsync();
        }
    }
}
