using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Handoff.HelpDesks;
using Handoff.IntegrationTests.Conversations;
using Handoff.IntegrationTests.HelpDesks.PigeonPost;
using Handoff.Testing;

namespace Handoff.IntegrationTests.HelpDesks;

/// <summary>
/// The help-desk kinds come from the registered descriptors alone: validation, the kinds list, the receivers and the
/// receiving addresses know a desk because it is registered, including one defined only in this test project.
/// </summary>
public sealed class HelpDeskCatalogTests
{
    private static readonly string[] BuiltIn = ["webhook", "intercom", "livechat", "zoho-salesiq", "livedesk", "sobot"];

    [Fact]
    public async Task Every_registered_kind_is_listed_with_its_rules_and_accepted_by_the_connection_validation()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var kinds = (await h.Admin.GetFromJsonAsync<JsonElement>("/api/helpdesk-kinds")).EnumerateArray().ToList();
        Assert.Equal(BuiltIn, kinds.Select(k => k.GetProperty("kind").GetString()));

        (await h.Admin.PutAsJsonAsync("/api/agents/kinds/handoff", new { })).EnsureSuccessStatusCode();
        foreach (var kind in kinds)
        {
            // No settings at all: the kind itself passes, and each of its required keys is named as missing.
            var name = kind.GetProperty("kind").GetString()!;
            var put = await h.Admin.PutAsJsonAsync("/api/agents/kinds/helpdesk", new { kind = name, settings = new { } });
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            var errors = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.False(errors.TryGetProperty("kind", out _), $"kind {name} was refused");
            var required = kind.GetProperty("required").EnumerateArray().Select(r => "settings." + r.GetString()).ToList();
            Assert.NotEmpty(required);
            Assert.Equal(required.Order(), errors.EnumerateObject().Select(e => e.Name).Order());
            Assert.All(kind.GetProperty("required").EnumerateArray(), r => Assert.True(kind.GetProperty("help").TryGetProperty(r.GetString()!, out _)));
        }

        var salesIq = kinds.Single(k => k.GetProperty("kind").GetString() == "zoho-salesiq");
        Assert.Equal(["hasMessenger", "answersInsideWebhook", "needsConsent"], salesIq.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("/api/console/bot/zoho/salesiq/org/redirect", salesIq.GetProperty("consent").GetProperty("redirectPath").GetString());
        Assert.Equal(JsonValueKind.Null, kinds[0].GetProperty("consent").ValueKind);

        var unknown = await h.Admin.PutAsJsonAsync("/api/agents/kinds/helpdesk", new { kind = "carrier-pigeon", settings = new { } });
        var unknownErrors = (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal($"must be one of: {string.Join(", ", BuiltIn)}", unknownErrors.GetProperty("kind")[0].GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await h.Host.Http.GetAsync("/api/helpdesk-kinds")).StatusCode);
    }

    [Fact]
    public async Task The_receiver_answers_404_for_a_kind_that_is_not_registered_or_does_not_receive_there()
    {
        await using var h = await HandoffTestHost.StartAsync();
        using var http = new HttpClient { BaseAddress = h.BaseAddress };
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/webhooks/carrier-pigeon/some-key", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/webhooks/webhook/some-key", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/webhooks/intercom/some-key", new { })).StatusCode);

        // Only a desk that checks its address with HEAD gets an answer to one.
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/webhooks/intercom/some-key"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/webhooks/zoho-salesiq/some-key"))).StatusCode);
    }

    [Fact]
    public async Task A_desk_defined_only_in_the_tests_works_end_to_end_once_it_is_registered()
    {
        var pigeons = new PigeonPostDescriptor();
        await using var h = await HandoffTestHost.StartAsync(configure: b => b.Services.AddHelpDesk(pigeons));
        var kinds = (await h.Admin.GetFromJsonAsync<JsonElement>("/api/helpdesk-kinds")).EnumerateArray().Select(k => k.GetProperty("kind").GetString());
        Assert.Equal(BuiltIn.Append(PigeonPostDescriptor.KindName).Order(), kinds.Order());

        (await h.Admin.PutAsJsonAsync("/api/agents/coop/handoff", new { })).EnsureSuccessStatusCode();
        var refused = await h.Admin.PutAsJsonAsync("/api/agents/coop/helpdesk", new { kind = "pigeon-post", settings = new { loft = "north", token = "feather-token-1234", ring = "green" } });
        Assert.Equal("must be red or blue", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("settings.ring")[0].GetString());
        var put = await h.Admin.PutAsJsonAsync("/api/agents/coop/helpdesk", new { kind = "pigeon-post", settings = new { loft = "north", token = "feather-token-1234" } });
        var connection = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", connection.GetProperty("status").GetString());
        Assert.Equal("loft north is ready", connection.GetProperty("statusDetail").GetString());
        Assert.Equal("********1234", connection.GetProperty("settings").GetProperty("token").GetString());
        var address = connection.GetProperty("receivingAddress").GetString()!;
        Assert.StartsWith(new Uri(h.BaseAddress, "/webhooks/pigeon-post/").ToString(), address);

        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "coop", email: "jane@example.com");
        await chat.SendAsync("I need a human");
        await chat.WaitForStateAsync("waiting-for-human");
        var (deskConversationId, opening) = Assert.Single(pigeons.Desk.Opened);
        Assert.Equal(chat.ConversationId, opening.ConversationId);

        // The desk's own webhook reader decides: its token header is checked, its body read, the human's words recorded.
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Pigeon(address, "wrong-token", deskConversationId, "p0", "forged"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(Pigeon(address, "feather-token-1234", null, "p0", "no conversation"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Pigeon(address, "feather-token-1234", "coop-unknown", "p0", "lost"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Pigeon(address, "feather-token-1234", deskConversationId, "p1", "Coo, Pat here."))).StatusCode);
        await chat.WaitForStateAsync("with-human");
        var reply = await chat.WaitForTextAsync("human", "Coo, Pat here.");
        Assert.Equal("Pat", reply.GetProperty("senderName").GetString());

        // A chat may start inside the new desk's own widget, since its kind is a desk channel now.
        var created = await h.Host.Http.PostAsJsonAsync("/api/agents/coop/conversations", new { channel = "pigeon-post" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private static HttpRequestMessage Pigeon(string address, string token, string? conversation, string id, string text)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, address)
        {
            Content = conversation is null ? JsonContent.Create(new { id, text }) : JsonContent.Create(new { conversation, id, text }),
        };
        request.Headers.Add(PigeonPostDescriptor.TokenHeader, token);
        return request;
    }
}
