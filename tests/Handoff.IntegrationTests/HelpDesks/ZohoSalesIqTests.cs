using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.IntegrationTests.HelpDesks;

public sealed class ZohoSalesIqTests
{
    private static async Task<HandoffTestHost> HostAsync(FakeZohoSalesIq zoho) => await HandoffTestHost.StartAsync(new()
    {
        ["Handoff:HelpDesks:ZohoSalesIq:ApiBaseUrl"] = zoho.BaseUrl,
        ["Handoff:HelpDesks:ZohoSalesIq:AccountsBaseUrl"] = zoho.BaseUrl,
    });

    private static object Settings(FakeZohoSalesIq zoho, string? publicKey = null, string? departmentId = null) => new
    {
        kind = "zoho-salesiq",
        settings = new Dictionary<string, string?>
        {
            ["clientId"] = zoho.ClientId, ["clientSecret"] = zoho.ClientSecret, ["screenName"] = zoho.ScreenName, ["region"] = "eu",
            ["publicKey"] = publicKey, ["departmentId"] = departmentId,
        }.Where(kv => kv.Value is not null).ToDictionary(),
    };

    /// <summary>PUT the connection, go through Zoho's consent page as the operator's browser would, and answer the connection's GET body.</summary>
    private static async Task<JsonElement> ConnectAsync(HandoffTestHost h, FakeZohoSalesIq zoho, string agentId, string? publicKey = null, object? handoff = null)
    {
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", handoff ?? new { })).EnsureSuccessStatusCode();
        var put = await (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk", Settings(zoho, publicKey))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("not-configured", put.GetProperty("status").GetString());
        using var page = await FakeZohoSalesIq.ConsentAsync(await AuthorizeUrlAsync(h, agentId));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var connection = await h.Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/helpdesk");
        Assert.Equal("available", connection.GetProperty("status").GetString());
        return connection;
    }

    private static async Task<string> AuthorizeUrlAsync(HandoffTestHost h, string agentId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/agents/{agentId}/helpdesk/authorize");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await h.Admin.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("authorizeUrl").GetString()!;
    }

    private static async Task<string> WaitForDeskConversationAsync(FakeZohoSalesIq zoho, int count = 1)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (zoho.CallsTo("/conversations").Count() < count && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.Equal(count, zoho.CallsTo("/conversations").Count());
        return zoho.LastConversationId!;
    }

    [Fact]
    public async Task The_operator_authorises_salesiq_once_and_the_refresh_token_is_stored_but_never_shown()
    {
        await using var zoho = await FakeZohoSalesIq.StartAsync();
        await using var h = await HostAsync(zoho);
        (await h.Admin.PutAsJsonAsync("/api/agents/zo1/handoff", new { })).EnsureSuccessStatusCode();
        var put = await (await h.Admin.PutAsJsonAsync("/api/agents/zo1/helpdesk", Settings(zoho))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("not-configured", put.GetProperty("status").GetString());
        Assert.Contains("authorize", put.GetProperty("statusDetail").GetString());

        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = h.BaseAddress };
        noRedirect.DefaultRequestHeaders.Authorization = h.Admin.DefaultRequestHeaders.Authorization;
        using var redirect = await noRedirect.GetAsync("/api/agents/zo1/helpdesk/authorize");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        var location = redirect.Headers.Location!;
        Assert.StartsWith(zoho.BaseUrl + "/oauth/v2/org/auth?", location.ToString());
        var query = System.Web.HttpUtility.ParseQueryString(location.Query);
        Assert.Equal(zoho.ClientId, query["client_id"]);
        Assert.Equal("offline", query["access_type"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(new Uri(h.BaseAddress, "/api/console/bot/zoho/salesiq/org/redirect").ToString(), query["redirect_uri"]);
        Assert.Contains("SalesIQ.webhooks.CREATE", query["scope"]);
        Assert.False(string.IsNullOrEmpty(query["state"]));

        // Without the admin key there is no consent link; a forged state gets no token.
        using var anonymous = new HttpClient { BaseAddress = h.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/agents/zo1/helpdesk/authorize")).StatusCode);
        using var forged = await anonymous.GetAsync("/api/console/bot/zoho/salesiq/org/redirect?code=1000.x&state=zo1.forged");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("not valid", await forged.Content.ReadAsStringAsync());
        Assert.Empty(zoho.CallsTo("/oauth/v2/token"));

        using var page = await FakeZohoSalesIq.ConsentAsync(location.ToString());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Zoho SalesIQ is connected", html);
        Assert.DoesNotContain("1000.refresh", html);

        var connection = await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/zo1/helpdesk");
        Assert.Equal("available", connection.GetProperty("status").GetString());
        var settings = connection.GetProperty("settings");
        Assert.False(settings.TryGetProperty("refreshToken", out _));
        Assert.EndsWith("4321", settings.GetProperty("clientSecret").GetString());
        Assert.DoesNotContain(zoho.ClientSecret, connection.GetRawText());

        // Our data webhook is registered at the receiving address, after SalesIQ's HEAD check got a 200.
        var hook = Assert.Single(zoho.Webhooks.Values);
        var address = connection.GetProperty("receivingAddress").GetString()!;
        Assert.Equal(address, hook["url"]!.ToString());
        Assert.Equal(["conversation.operator.replied", "conversation.completed", "conversation.attender.updated", "conversation.missed"],
            hook["events"]!.AsArray().Select(e => e!.ToString()));
        Assert.Equal(FakeZohoSalesIq.AppId, hook["app_ids"]![0]!.ToString());
        Assert.Equal((address, 200), Assert.Single(zoho.HeadChecks));

        // A settings change that keeps the OAuth client keeps the grant; authorising again updates the same webhook.
        var changed = await (await h.Admin.PutAsJsonAsync("/api/agents/zo1/helpdesk", Settings(zoho, departmentId: "301050000004"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", changed.GetProperty("status").GetString());
        Assert.False(Assert.Single(zoho.Webhooks.Values)["secured"]!.GetValue<bool>());
        using var second = await FakeZohoSalesIq.ConsentAsync(await AuthorizeUrlAsync(h, "zo1"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Single(zoho.Webhooks.Values);

        // Pasting the public key later turns signing on for the webhook at once.
        var signed = await (await h.Admin.PutAsJsonAsync("/api/agents/zo1/helpdesk", Settings(zoho, publicKey: zoho.PublicKeyPem))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", signed.GetProperty("status").GetString());
        Assert.True(Assert.Single(zoho.Webhooks.Values)["secured"]!.GetValue<bool>());

        var departments = await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/zo1/helpdesk/departments");
        Assert.Equal([("301050000004", "Support"), ("19367000000009999", "Billing")],
            departments.EnumerateArray().Select(d => (d.GetProperty("id").GetString(), d.GetProperty("name").GetString())));
    }

    [Fact]
    public async Task A_hand_off_opens_a_visitor_conversation_and_operator_replies_come_back_signed_once_and_in_order()
    {
        await using var zoho = await FakeZohoSalesIq.StartAsync();
        await using var h = await HostAsync(zoho);
        var connection = await ConnectAsync(h, zoho, "zo2", publicKey: zoho.PublicKeyPem);
        var address = connection.GetProperty("receivingAddress").GetString()!;

        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "zo2", email: "jane@example.com");
        await chat.SendAsync("my order is late");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        var deskId = await WaitForDeskConversationAsync(zoho);
        var created = zoho.CallsTo("/conversations").Single()!;
        Assert.Equal(FakeZohoSalesIq.AppId, created["app_id"]!.ToString());
        Assert.Equal("301050000004", created["department_id"]!.ToString()); // no departmentId set: the first department
        Assert.EndsWith("User: my order is late", created["question"]!.ToString());
        Assert.Equal("jane@example.com", created["visitor"]!["email"]!.ToString());
        var visitorId = created["visitor"]!["user_id"]!.ToString();
        Assert.DoesNotContain("jane", visitorId);

        Assert.Equal(200, await zoho.OperatorRepliesAsync(deskId, "Sure, let me check.", msgId: "1566841905333"));
        await chat.WaitForStateAsync("with-human");
        var reply = await chat.WaitForTextAsync("human", "Sure, let me check.");
        Assert.Equal("Patricia", reply.GetProperty("senderName").GetString());
        Assert.Equal(200, await zoho.OperatorRepliesAsync(deskId, "Sure, let me check.", msgId: "1566841905333"));
        Assert.Equal(200, await zoho.OperatorSendsFileAsync(deskId));
        Assert.Equal(200, await zoho.OperatorRepliesAsync(deskId, "Found it: it ships today."));
        await chat.WaitForTextAsync("human", "Found it: it ships today.");

        // Unsigned or signed with another key: 401, nothing recorded.
        using var http = new HttpClient();
        var forged = FakeZohoSalesIq.Event("conversation.operator.replied", deskId, new JsonObject { ["id"] = deskId, ["message"] = new JsonObject { ["msgid"] = "9", ["text"] = "forged" } });
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(zoho.WebhookRequest(address, forged, signed: false))).StatusCode);
        using var otherKey = RSA.Create(2048);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(zoho.WebhookRequest(address, forged, signWith: otherKey))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(zoho.WebhookRequest(address, new JsonObject { ["entity"] = "x" }))).StatusCode);

        await chat.SendAsync("thanks!");
        await Eventually.TrueAsync(() => zoho.CallsTo($"/conversations/{deskId}/messages").Any(), "the user's message did not reach SalesIQ");
        Assert.Equal("thanks!", zoho.CallsTo($"/conversations/{deskId}/messages").Single()!["text"]!.ToString());

        Assert.Equal(200, await zoho.CompletesAsync(deskId));
        await chat.WaitForStateAsync("bot", "human-ended");
        Assert.Empty(zoho.CallsTo($"/conversations/{deskId}/close")); // SalesIQ ended it: nothing to close

        var view = await h.ConversationAsync(chat.ConversationId);
        var texts = view.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("from").GetString() == "human").Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Equal(["Sure, let me check.", "Found it: it ships today."], texts);
        Assert.Equal("human-ended", view.GetProperty("handoff").GetProperty("endReason").GetString());
        Assert.All(zoho.Deliveries, d => Assert.Equal(200, d.Status));

        // The same end user hands off again: the same SalesIQ visitor.
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        await WaitForDeskConversationAsync(zoho, 2);
        Assert.Equal(visitorId, zoho.CallsTo("/conversations").Last()!["visitor"]!["user_id"]!.ToString());
    }

    [Fact]
    public async Task A_missed_conversation_tells_the_user_nobody_was_available_and_our_session_timeout_closes_it_on_salesiq()
    {
        await using var zoho = await FakeZohoSalesIq.StartAsync();
        await using var h = await HostAsync(zoho);
        await ConnectAsync(h, zoho, "zo3", publicKey: zoho.PublicKeyBase64, handoff: new { sessionTimeoutSeconds = 1 });

        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "zo3", email: "max@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        var first = await WaitForDeskConversationAsync(zoho);
        Assert.Equal(200, await zoho.MissesAsync(first));
        await chat.WaitForStateAsync("bot", "wait-timeout");
        await chat.WaitForTextAsync("system", "Sorry, nobody from our team can join right now. Please try again later.");
        // A late operator reply to the missed conversation is refused as ended, and SalesIQ's retry gets the same answer.
        Assert.Equal(409, await zoho.OperatorRepliesAsync(first, "Sorry, I'm late"));

        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        var second = await WaitForDeskConversationAsync(zoho, 2);
        Assert.Equal(200, await zoho.OperatorRepliesAsync(second, "Hello Max"));
        await chat.WaitForStateAsync("with-human");
        await chat.WaitForStateAsync("bot", "session-timeout", timeoutMs: 8000);
        await Eventually.TrueAsync(() => zoho.CallsTo($"/conversations/{second}/close").Any(), "the session timeout did not close the SalesIQ conversation");
        Assert.DoesNotContain(zoho.Calls, c => c.Path == $"/conversations/{first}/close");
    }

    [Fact]
    public async Task An_expired_access_token_is_refreshed_once_and_a_revoked_grant_shows_unavailable_with_zohos_reason()
    {
        await using var zoho = await FakeZohoSalesIq.StartAsync();
        await using var h = await HostAsync(zoho);
        await ConnectAsync(h, zoho, "zo4");
        var refreshesAfterConnect = zoho.Refreshes;

        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "zo4", email: "eve@example.com");
        zoho.ExpireAccessTokens();
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        var deskId = await WaitForDeskConversationAsync(zoho);
        Assert.Equal(refreshesAfterConnect + 1, zoho.Refreshes);

        // Several messages at once after another expiry (answered 401 this time): one refresh serves them all.
        zoho.ExpiredTokenAs401 = true;
        zoho.ExpireAccessTokens();
        await Task.WhenAll(Enumerable.Range(1, 4).Select(i => chat.SendAsync($"m{i}")));
        await Eventually.TrueAsync(() => zoho.CallsTo($"/conversations/{deskId}/messages").Count() == 4, "the messages did not all reach SalesIQ");
        Assert.Equal(["m1", "m2", "m3", "m4"], zoho.CallsTo($"/conversations/{deskId}/messages").Select(b => b!["text"]!.ToString()));
        Assert.Equal(refreshesAfterConnect + 2, zoho.Refreshes);

        zoho.RevokeRefreshTokens();
        zoho.ExpireAccessTokens();
        var verified = await (await h.Admin.PostAsync("/api/agents/zo4/helpdesk/verify", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unavailable", verified.GetProperty("status").GetString());
        Assert.Contains("invalid_code", verified.GetProperty("statusDetail").GetString());

        var wrongScreen = await (await h.Admin.PutAsJsonAsync("/api/agents/zo5/helpdesk", new
        {
            kind = "zoho-salesiq", settings = new { clientId = zoho.ClientId, clientSecret = "wrong-secret", screenName = "acme", region = "moon" },
        })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(wrongScreen.TryGetProperty("errors", out var errors));
        Assert.True(errors.TryGetProperty("settings.region", out _));
    }

    [Fact]
    public async Task A_wrong_client_secret_fails_the_consent_with_zohos_error_and_leaves_the_connection_not_configured()
    {
        await using var zoho = await FakeZohoSalesIq.StartAsync();
        await using var h = await HostAsync(zoho);
        var put = await h.Admin.PutAsJsonAsync("/api/agents/zo6/helpdesk", new
        {
            kind = "zoho-salesiq", settings = new { clientId = zoho.ClientId, clientSecret = "wrong-secret", screenName = zoho.ScreenName, region = "us", publicKey = "not a key" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        (await h.Admin.PutAsJsonAsync("/api/agents/zo6/helpdesk", new
        {
            kind = "zoho-salesiq", settings = new { clientId = zoho.ClientId, clientSecret = "wrong-secret", screenName = zoho.ScreenName, region = "us" },
        })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Conflict, (await h.Admin.GetAsync("/api/agents/zo6/helpdesk/departments")).StatusCode);

        using var page = await FakeZohoSalesIq.ConsentAsync(await AuthorizeUrlAsync(h, "zo6"));
        Assert.Equal(HttpStatusCode.BadGateway, page.StatusCode);
        Assert.Contains("invalid_client", await page.Content.ReadAsStringAsync());
        var connection = await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/zo6/helpdesk");
        Assert.Equal("not-configured", connection.GetProperty("status").GetString());
        Assert.Empty(zoho.Webhooks);

        // A hand-off while not authorised is refused as helpdesk-unavailable.
        (await h.Admin.PutAsJsonAsync("/api/agents/zo6/handoff", new { })).EnsureSuccessStatusCode();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "zo6", email: "a@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("bot", "helpdesk-unavailable");
    }
}
