using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Handoff.HelpDesks.Intercom;

/// <summary>Intercom: an access token's admin is our bot in the Messenger; webhooks are signed with the app's client secret.</summary>
public sealed class IntercomDescriptor : HelpDeskDescriptor
{
    public const string KindName = "intercom";

    public override string Kind => KindName;
    public override string DisplayName => "Intercom";
    public override HelpDeskCapabilities Capabilities => HelpDeskCapabilities.HasMessenger;

    public override HelpDeskSettingsRules Settings { get; } = new(
        ["accessToken"], ["clientSecret", "region", "apiVersion", "teamId"], ["accessToken", "clientSecret"]);

    public override IReadOnlyDictionary<string, string> Help { get; } = new Dictionary<string, string>
    {
        ["accessToken"] = "Developer Hub → your app: access token",
        ["clientSecret"] = "Developer Hub → your app → Basic information: client secret (checks webhook signatures)",
        ["region"] = "us, eu or au: where the workspace is hosted",
        ["apiVersion"] = "Intercom API version (default 2.14)",
        ["teamId"] = "Settings → Teammates → Teams: the team that takes hand-offs (else assignment rules)",
    };

    public override void Register(IServiceCollection services)
    {
        RegisterClient<IntercomHelpDesk>(services, IntercomHelpDesk.HttpClientName);
    }

    public override WebhookVerdict ReadWebhook(IReadOnlyDictionary<string, string> settings, IHeaderDictionary headers, byte[] rawBody, DateTimeOffset now) =>
        IntercomWebhook.Read(settings, headers[IntercomWebhook.SignatureHeader], rawBody);
}
