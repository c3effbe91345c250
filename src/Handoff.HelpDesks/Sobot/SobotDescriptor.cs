using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Handoff.HelpDesks.Sobot;

/// <summary>
/// Sobot: our bot runs inside the Sobot widget, so only chats begun there can be handed over; one API token per appId
/// for the whole cluster (through <see cref="IHelpDeskTokens"/>); forwarding callbacks come in batches.
/// </summary>
public sealed class SobotDescriptor : HelpDeskDescriptor
{
    public const string KindName = "sobot";

    public override string Kind => KindName;
    public override string DisplayName => "Sobot";
    public override HelpDeskCapabilities Capabilities => HelpDeskCapabilities.HandsOverOnlyInOwnWidget;

    public override HelpDeskSettingsRules Settings { get; } = new(
        ["appId", "appKey"], ["baseUrl", "companyId", "forwardingKey"], ["appKey", "forwardingKey"]);

    public override IReadOnlyDictionary<string, string> Help { get; } = new Dictionary<string, string>
    {
        ["appId"] = "from Sobot after-sales: the API appid",
        ["appKey"] = "from Sobot after-sales: the API app_key",
        ["baseUrl"] = "Sobot API base (default https://sg.sobot.io; China: https://www.sobot.com)",
        ["companyId"] = "from your account manager: the company id of forwarding signing",
        ["forwardingKey"] = "from your account manager: the key of forwarding signing",
    };

    public override void Register(IServiceCollection services)
    {
        RegisterClient<SobotHelpDesk>(services, SobotHelpDesk.HttpClientName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHelpDeskTokenSource, SobotTokenSource>());
    }

    public override WebhookVerdict ReadWebhook(IReadOnlyDictionary<string, string> settings, IHeaderDictionary headers, byte[] rawBody, DateTimeOffset now)
    {
        var verdict = SobotWebhook.Read(settings, headers[SobotWebhook.SignHeader], headers[SobotWebhook.TimestampHeader],
            headers[SobotWebhook.RandomCodeHeader], rawBody, now, out var batch);
        return verdict with { Batch = batch };
    }
}
