using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Handoff.HelpDesks.Webhook;

/// <summary>
/// The generic webhook protocol (docs/api.md section 5): the owner's own server, called at three paths under its
/// <c>url</c>; it answers us at <c>/v1/human/…</c> with a bearer key, not at a per-kind webhook path.
/// </summary>
public sealed class WebhookDescriptor : HelpDeskDescriptor
{
    public const string KindName = "webhook";

    public override string Kind => KindName;
    public override string DisplayName => "Webhook (your own server)";
    public override HelpDeskCapabilities Capabilities => HelpDeskCapabilities.None;

    public override HelpDeskSettingsRules Settings { get; } = new(
        ["url"], ["username", "password", "signingSecret"], ["password", "signingSecret"]);

    public override IReadOnlyDictionary<string, string> Help { get; } = new Dictionary<string, string>
    {
        ["url"] = "your server's base: we append /conversation/establish, /chat and /conversation/close",
        ["username"] = "HTTP Basic user your server expects",
        ["password"] = "HTTP Basic password your server expects",
        ["signingSecret"] = "shared secret for X-Handoff-Signature, both directions",
    };

    public override IReadOnlyDictionary<string, string> Examples { get; } = new Dictionary<string, string>
    {
        ["url"] = "http://127.0.0.1:5090/human/service",
    };

    /// <summary>The owner's server is not a widget a chat starts in.</summary>
    public override bool HasOwnChannel => false;

    public override bool ReceivesAtWebhookPath => false;

    /// <summary>The desk answers at our fixed path and names its agent by the bearer key, so there is nothing per agent in the URL.</summary>
    public override string ReceivingAddress(string publicBase, string receivingKey) => $"{publicBase}/v1/human/message/receive";

    public override void Register(IServiceCollection services)
    {
        // No retries: the owner's server may not deduplicate, and the outbox retries what failed.
        services.AddHttpClient(WebhookHelpDeskClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHelpDeskClient, WebhookHelpDesk>());
    }
}
