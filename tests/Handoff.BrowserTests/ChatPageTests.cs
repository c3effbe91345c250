using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Handoff.Host.Hosting;
using Handoff.Testing;
using Microsoft.Playwright;

namespace Handoff.BrowserTests;

[Collection(ChromiumCollection.Name)]
public sealed class ChatPageTests(ChromiumFixture chromium) : IAsyncLifetime
{
    private const string AdminKey = "browser-admin-key-0123456789";
    private RunningHost host = null!;
    private FakeWebhookDesk desk = null!;
    private HttpClient admin = null!;
    private string receivingKey = "";

    public async Task InitializeAsync()
    {
        desk = await FakeWebhookDesk.StartAsync();
        host = await RunningHost.StartAsync(new Dictionary<string, string?>
        {
            ["Handoff:AdminApiKey"] = AdminKey,
            ["Handoff:Reminders:MinimumPeriod"] = "00:00:01",
        }, args => HandoffApp.Build(args));
        admin = new HttpClient { BaseAddress = host.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public async Task DisposeAsync()
    {
        admin.Dispose();
        await host.DisposeAsync();
        await desk.DisposeAsync();
    }

    private async Task CreateAgentAsync(string agentId)
    {
        (await admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", new { })).EnsureSuccessStatusCode();
        var put = await admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk", new { kind = "webhook", settings = new { url = desk.BaseUrl } });
        receivingKey = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receivingKey").GetString()!;
    }

    private async Task HumanSaysAsync(string handoffId, string text, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/human/message/receive")
        {
            Content = JsonContent.Create(new { conversation_id = handoffId, timestamp = 1, body = text, message_id = id, sender_name = "Anna" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", receivingKey);
        (await admin.SendAsync(request)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_user_on_the_chat_page_asks_for_a_human_gives_an_email_talks_with_the_human_and_ends()
    {
        await CreateAgentAsync("browser-1");
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 760 } });
        await page.GotoAsync(new Uri(host.BaseAddress, "/chat/browser-1").ToString());

        await page.GetByLabel("Your message").FillAsync("hello");
        await page.GetByLabel("Your message").PressAsync("Enter");
        await Assertions.Expect(page.Locator(".message.bot")).ToHaveCountAsync(1);

        await page.GetByRole(AriaRole.Button, new() { Name = "Talk to a human" }).ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Please tell us your e-mail address");
        await page.GetByLabel("Your message").FillAsync("bob@example.com");
        await page.GetByLabel("Your message").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Waiting for a person to join…");

        var establish = await desk.WaitForAsync("conversation/establish");
        Assert.Equal("bob@example.com", establish.Str("email"));
        await HumanSaysAsync(establish.Str("conversation_id"), "Hi Bob, Anna here.", "b-1");
        await Assertions.Expect(page.Locator(".message.human")).ToContainTextAsync("Hi Bob, Anna here.");
        await Assertions.Expect(page.Locator(".message.human .who")).ToHaveTextAsync("Anna");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Connected to a person");
        await Screenshots.TakeAsync(page, "chat-page.png");

        await page.GetByRole(AriaRole.Button, new() { Name = "End chat with human" }).ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("you ended the conversation");
        Assert.Equal("USER_CLOSED", (await desk.WaitForAsync("conversation/close")).Str("type"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_bubble_passes_the_email_from_setEmail_so_none_is_asked()
    {
        await CreateAgentAsync("demo");
        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseAddress, "/demo").ToString());
        await page.EvaluateAsync("() => window.ChatBot.setEmail('carol@example.com')");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open chat" }).ClickAsync();

        var frame = page.FrameLocator("iframe[title=Chat]");
        await frame.GetByLabel("Your message").FillAsync("I want a human");
        await frame.GetByLabel("Your message").PressAsync("Enter");
        await Assertions.Expect(frame.Locator("#status")).ToHaveTextAsync("Waiting for a person to join…");
        Assert.Equal("carol@example.com", (await desk.WaitForAsync("conversation/establish")).Str("email"));
        await Screenshots.TakeAsync(page, "chat-bubble.png");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_page_survives_a_dropped_connection_without_losing_or_doubling_messages()
    {
        await CreateAgentAsync("browser-3");
        var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseAddress, "/chat/browser-3?email=dan@example.com").ToString());
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Chatting with the bot");
        await page.GetByRole(AriaRole.Button, new() { Name = "Talk to a human" }).ClickAsync();
        var handoffId = (await desk.WaitForAsync("conversation/establish")).Str("conversation_id");
        await HumanSaysAsync(handoffId, "first", "r-1");
        await Assertions.Expect(page.Locator(".message.human")).ToHaveCountAsync(1);

        // Drop the WebSocket from the page's side, let the human write meanwhile, then let it reconnect.
        await context.SetOfflineAsync(true);
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Reconnecting…", new() { Timeout = 40_000 });
        await HumanSaysAsync(handoffId, "second", "r-2");
        await HumanSaysAsync(handoffId, "third", "r-3");
        await context.SetOfflineAsync(false);

        await Assertions.Expect(page.Locator(".message.human")).ToHaveCountAsync(3, new() { Timeout = 20_000 });
        var texts = await page.Locator(".message.human").AllInnerTextsAsync();
        Assert.Equal(["first", "second", "third"], texts.Select(t => t.Replace("Anna", "").Trim()));
        await context.CloseAsync();
    }
}
