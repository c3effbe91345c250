using System.Collections.Concurrent;
using System.Text.Json;
using Handoff.HelpDesks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Handoff.IntegrationTests.HelpDesks.PigeonPost;

/// <summary>
/// A seventh help-desk that exists only in the tests: its folder is this descriptor and its client, and a host gets
/// it with one <c>AddHelpDesk</c> call. It shows that adding a desk touches nothing outside the desk's own folder.
/// Its webhooks carry the connection's <c>token</c> in <c>X-Pigeon-Token</c> and a body
/// <c>{ "conversation", "id", "text" }</c>.
/// </summary>
public sealed class PigeonPostDescriptor : HelpDeskDescriptor
{
    public const string KindName = "pigeon-post";
    public const string TokenHeader = "X-Pigeon-Token";

    /// <summary>The desk's side, kept as one instance so a test can see what reached it.</summary>
    public PigeonPostDesk Desk { get; } = new();

    public override string Kind => KindName;
    public override string DisplayName => "Pigeon Post";
    public override HelpDeskCapabilities Capabilities => HelpDeskCapabilities.None;
    public override HelpDeskSettingsRules Settings { get; } = new(["loft", "token"], ["ring"], ["token"]);

    public override IReadOnlyDictionary<string, string> Help { get; } = new Dictionary<string, string>
    {
        ["loft"] = "the loft that takes hand-offs",
        ["token"] = "the loft's token, carried by its webhooks",
        ["ring"] = "a leg-ring colour: red or blue",
    };

    public override void Validate(IReadOnlyDictionary<string, string> settings, IDictionary<string, string[]> errors)
    {
        if (settings.TryGetValue("ring", out var ring) && ring is not ("red" or "blue"))
        {
            errors["settings.ring"] = ["must be red or blue"];
        }
    }

    public override void Register(IServiceCollection services) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHelpDeskClient>(Desk));

    public override WebhookVerdict ReadWebhook(IReadOnlyDictionary<string, string> settings, IHeaderDictionary headers, byte[] rawBody, DateTimeOffset now)
    {
        if (headers[TokenHeader].ToString() != settings["token"])
        {
            return WebhookVerdict.Unauthorized("wrong X-Pigeon-Token");
        }

        try
        {
            var root = JsonDocument.Parse(rawBody).RootElement;
            var conversation = root.GetProperty("conversation").GetString()!;
            return WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.HumanMessage, conversation, root.GetProperty("text").GetString(),
                "Pat", "pigeon:" + root.GetProperty("id").GetString()));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return WebhookVerdict.Malformed("a pigeon needs conversation, id and text");
        }
    }
}

/// <summary>The pigeon loft's API as our client sees it: always reachable, and it remembers every conversation opened.</summary>
public sealed class PigeonPostDesk : IHelpDeskClient
{
    public ConcurrentDictionary<string, HelpDeskOpening> Opened { get; } = new();

    public string Kind => PigeonPostDescriptor.KindName;

    public Task<(bool Available, string Detail)> VerifyAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken) =>
        Task.FromResult((true, $"loft {settings["loft"]} is ready"));

    public Task<DeskOpened> OpenAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, HelpDeskOpening opening, CancellationToken cancellationToken)
    {
        var id = "coop-" + opening.HandoffId;
        Opened[id] = opening;
        return Task.FromResult(new DeskOpened(id, null));
    }

    public Task SendUserMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CloseAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken) => Task.CompletedTask;
}
