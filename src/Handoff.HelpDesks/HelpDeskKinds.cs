namespace Handoff.HelpDesks;

/// <summary>The help-desk kinds and their settings keys (shared/API.md section 2); secrets are masked and encrypted at rest.</summary>
public static class HelpDeskKinds
{
    /// <param name="Granted">
    /// Keys the service stores itself after the operator authorises it at the desk (Zoho's refresh token): secret,
    /// never settable through the API and never shown; a connection without them is not configured yet.
    /// </param>
    public sealed record Rules(string[] Required, string[] Optional, string[] Secrets, string[]? Granted = null)
    {
        public string[] GrantedKeys => Granted ?? [];
    }

    public static readonly IReadOnlyDictionary<string, Rules> All = new Dictionary<string, Rules>
    {
        ["webhook"] = new(["url"], ["username", "password", "signingSecret"], ["password", "signingSecret"]),
        ["intercom"] = new(["accessToken"], ["clientSecret", "region", "apiVersion", "teamId"], ["accessToken", "clientSecret"]),
        ["livechat"] = new(["organizationId", "clientId"], ["webhookSecretKey", "region", "groupId", "apiVersion", "agentAccessToken"], ["webhookSecretKey", "agentAccessToken"]),
        ["zoho-salesiq"] = new(["clientId", "clientSecret", "screenName", "region"], ["departmentId", "appId", "publicKey"], ["clientSecret"], [ZohoRefreshToken]),
        ["livedesk"] = new(["apiKey", "apiSecret"], ["baseUrl", "inboxId", "webhookSecret"], ["apiSecret", "webhookSecret"]),
        ["sobot"] = new(["appId", "appKey"], ["baseUrl", "companyId", "forwardingKey"], ["appKey", "forwardingKey"]),
    };

    /// <summary>The Org OAuth refresh token a Zoho SalesIQ connection gets when the operator authorises it.</summary>
    public const string ZohoRefreshToken = "refreshToken";

    public static bool IsSecret(string kind, string key) =>
        All.TryGetValue(kind, out var rules) && (rules.Secrets.Contains(key) || rules.GrantedKeys.Contains(key));

    public static bool IsGranted(string kind, string key) => All.TryGetValue(kind, out var rules) && rules.GrantedKeys.Contains(key);

    /// <summary>True when a kind that needs an authorisation at the desk has not had it yet.</summary>
    public static bool AwaitsAuthorization(string kind, IReadOnlyDictionary<string, string> settings) =>
        All.TryGetValue(kind, out var rules) && rules.GrantedKeys.Any(k => !settings.ContainsKey(k));
}
