using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Handoff.HelpDesks.Livedesk;

/// <summary>EngageLab LiveDesk (Chatwoot-shaped API channel): webhooks may be sent once, so quiet hand-offs are read back.</summary>
public sealed class LivedeskDescriptor : HelpDeskDescriptor
{
    public const string KindName = "livedesk";

    public override string Kind => KindName;
    public override string DisplayName => "LiveDesk";
    // Upstream Chatwoot sends API-inbox callbacks once (docs/helpdesks.md 4.4); LiveDesk is assumed to do the same.
    public override HelpDeskCapabilities Capabilities => HelpDeskCapabilities.HasMessenger | HelpDeskCapabilities.MayLoseWebhooks;

    public override HelpDeskSettingsRules Settings { get; } = new(
        ["apiKey", "apiSecret"], ["baseUrl", "inboxId", "webhookSecret"], ["apiSecret", "webhookSecret"]);

    public override IReadOnlyDictionary<string, string> Help { get; } = new Dictionary<string, string>
    {
        ["apiKey"] = "API Key page: the project's API key",
        ["apiSecret"] = "API Key page: the project's API secret",
        ["baseUrl"] = "LiveDesk API base (default https://livedesk-api.engagelab.com)",
        ["inboxId"] = "Inboxes → your API channel: its id",
        ["webhookSecret"] = "the API channel's webhook secret (signs webhooks)",
    };

    public override void Register(IServiceCollection services)
    {
        RegisterClient<LivedeskHelpDesk>(services, LivedeskHelpDesk.HttpClientName);
    }

    public override WebhookVerdict ReadWebhook(IReadOnlyDictionary<string, string> settings, IHeaderDictionary headers, byte[] rawBody, DateTimeOffset now) =>
        LivedeskWebhook.Read(settings, headers["X-Chatwoot-Signature"], headers["X-Chatwoot-Timestamp"], headers["X-Chatwoot-Delivery"], rawBody, now);
}
