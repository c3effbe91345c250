using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Handoff.HelpDesks.ZohoSalesIq;

/// <summary>
/// Zoho SalesIQ: authorised by the operator in Zoho's Org OAuth consent page; operators pick a department; the Zobot
/// speaks only in the answer to its webhook call; SalesIQ checks the receiving address with a HEAD request.
/// </summary>
public sealed class ZohoSalesIqDescriptor : HelpDeskDescriptor
{
    public const string KindName = "zoho-salesiq";

    /// <summary>The Org OAuth refresh token a connection gets when the operator authorises it.</summary>
    public const string RefreshToken = "refreshToken";

    public override string Kind => KindName;
    public override string DisplayName => "Zoho SalesIQ";

    public override HelpDeskCapabilities Capabilities =>
        HelpDeskCapabilities.HasMessenger | HelpDeskCapabilities.AnswersInsideWebhook | HelpDeskCapabilities.NeedsConsent;

    public override HelpDeskSettingsRules Settings { get; } = new(
        ["clientId", "clientSecret", "screenName", "region"], ["departmentId", "appId", "publicKey"], ["clientSecret"], [RefreshToken]);

    public override IReadOnlyDictionary<string, string> Help { get; } = new Dictionary<string, string>
    {
        ["clientId"] = "Zoho API console of your data centre → ORG client: client id",
        ["clientSecret"] = "Zoho API console → the same ORG client: client secret",
        ["screenName"] = "the portal's screen name, from https://salesiq.zoho.<dc>/<screen>/index",
        ["region"] = "data centre: " + string.Join(", ", ZohoRegions.All.Keys),
        ["departmentId"] = "the department (service group) that takes hand-offs: Load departments (else the first)",
        ["appId"] = "the brand app conversations open in (else the portal's first)",
        ["publicKey"] = "the public key of the key pair generated for the webhook in SalesIQ (PEM or Base64): webhooks are then signed",
    };

    public override IReadOnlyDictionary<string, string> Examples { get; } = new Dictionary<string, string> { ["region"] = "us" };

    public override string? DepartmentKey => "departmentId";

    public override bool AnswersHeadCheck => true;

    public override HelpDeskConsent Consent { get; } = new ZohoConsent();

    public override HelpDeskInlineBot InlineBot { get; } = new ZobotInlineBot();

    public override void Validate(IReadOnlyDictionary<string, string> settings, IDictionary<string, string[]> errors)
    {
        if (settings.TryGetValue("region", out var region) && !ZohoRegions.All.ContainsKey(region))
        {
            errors["settings.region"] = [$"must be one of: {string.Join(", ", ZohoRegions.All.Keys)}"];
        }

        if (settings.TryGetValue("publicKey", out var key))
        {
            using var rsa = ZohoSalesIqWebhook.ImportPublicKey(key);
            if (rsa is null) errors["settings.publicKey"] = ["must be SalesIQ's RSA public key, as PEM or Base64"];
        }
    }

    public override void Register(IServiceCollection services)
    {
        RegisterClient<ZohoSalesIqHelpDesk>(services, ZohoSalesIqHelpDesk.HttpClientName);
    }

    public override WebhookVerdict ReadWebhook(IReadOnlyDictionary<string, string> settings, IHeaderDictionary headers, byte[] rawBody, DateTimeOffset now) =>
        ZohoSalesIqWebhook.Read(settings, headers[ZohoSalesIqWebhook.SignatureHeader], rawBody);

    /// <summary>Zoho's Org OAuth consent (docs/helpdesks.md 3.1); the redirect path is the seed's and is registered at Zoho.</summary>
    private sealed class ZohoConsent : HelpDeskConsent
    {
        public override string ProviderName => "Zoho";
        public override string RedirectPath => "/api/console/bot/zoho/salesiq/org/redirect";

        /// <summary>A grant belongs to the OAuth client and its data centre: other changes (department, key) keep it.</summary>
        public override IReadOnlyList<string> GrantBoundTo { get; } = ["clientId", "region"];

        public override string AuthorizeUrl(IReadOnlyDictionary<string, string> settings, IConfiguration configuration, string redirectUri, string state) =>
            ZohoSalesIqHelpDesk.AuthorizeUrl(settings, configuration, redirectUri, state);
    }

    /// <summary>SalesIQ's Zobot on the Webhook platform: a call with a <c>handler</c>, answered with a reply or a forward.</summary>
    private sealed class ZobotInlineBot : HelpDeskInlineBot
    {
        public override bool Recognises(IHeaderDictionary headers, byte[] rawBody) => ZohoSalesIqZobot.IsZobotCall(rawBody);

        public override (InlineBotCall? Call, WebhookVerdict? Refusal) Read(IReadOnlyDictionary<string, string> settings, IHeaderDictionary headers, byte[] rawBody)
        {
            var (request, refusal) = ZohoSalesIqZobot.Read(settings, headers[ZohoSalesIqWebhook.SignatureHeader], rawBody);
            return request is null ? (null, refusal) : (new InlineBotCall(request.ConversationId, request.Text, request.MessageId, request.VisitorEmail), null);
        }

        /// <summary>Inside SalesIQ's 10 s for a Zobot answer.</summary>
        public override TimeSpan AnswerWithin(IConfiguration configuration) =>
            configuration.GetValue<TimeSpan?>("Handoff:HelpDesks:ZohoSalesIq:ZobotAnswerWithin") ?? TimeSpan.FromSeconds(4);

        public override object Answer(IReadOnlyList<string> replies, bool handOver, IReadOnlyDictionary<string, string> settings) =>
            ZohoSalesIqZobot.Answer(replies, handOver, settings.GetValueOrDefault("departmentId"));
    }
}
