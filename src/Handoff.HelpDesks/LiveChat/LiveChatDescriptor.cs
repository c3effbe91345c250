using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Handoff.HelpDesks.LiveChat;

/// <summary>LiveChat: a customer chat per hand-off, or our bot agent inside LiveChat; webhooks carry the app's secret key in the body.</summary>
public sealed class LiveChatDescriptor : HelpDeskDescriptor
{
    public const string KindName = "livechat";

    public override string Kind => KindName;
    public override string DisplayName => "LiveChat";
    public override HelpDeskCapabilities Capabilities => HelpDeskCapabilities.HasMessenger;

    public override HelpDeskSettingsRules Settings { get; } = new(
        ["organizationId", "clientId"], ["webhookSecretKey", "region", "groupId", "apiVersion", "agentAccessToken"],
        ["webhookSecretKey", "agentAccessToken"]);

    public override IReadOnlyDictionary<string, string> Help { get; } = new Dictionary<string, string>
    {
        ["organizationId"] = "LiveChat organization id (Developer Console → your profile)",
        ["clientId"] = "Developer Console → your app → Authorization block: client id",
        ["webhookSecretKey"] = "Developer Console → your app → Chat Webhooks block: generated secret key",
        ["region"] = "dal or fra: the data centre of the license",
        ["groupId"] = "Agents → Groups: the group that takes hand-offs (default 0)",
        ["apiVersion"] = "LiveChat API version (default 3.6)",
        ["agentAccessToken"] = "agent access token (chats, bots, webhooks scopes), for help-desk → help-desk mode",
    };

    public override void Register(IServiceCollection services)
    {
        RegisterClient<LiveChatHelpDesk>(services, LiveChatHelpDesk.HttpClientName);
    }

    public override WebhookVerdict ReadWebhook(IReadOnlyDictionary<string, string> settings, IHeaderDictionary headers, byte[] rawBody, DateTimeOffset now) =>
        LiveChatWebhook.Read(settings, rawBody);
}
