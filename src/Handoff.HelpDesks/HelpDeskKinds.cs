namespace Handoff.HelpDesks;

/// <summary>The help-desk kinds and their settings keys (shared/API.md section 2); secrets are masked and encrypted at rest.</summary>
public static class HelpDeskKinds
{
    public sealed record Rules(string[] Required, string[] Optional, string[] Secrets);

    public static readonly IReadOnlyDictionary<string, Rules> All = new Dictionary<string, Rules>
    {
        ["webhook"] = new(["url"], ["username", "password", "signingSecret"], ["password", "signingSecret"]),
        ["intercom"] = new(["accessToken"], ["clientSecret", "region", "apiVersion", "teamId"], ["accessToken", "clientSecret"]),
        ["livechat"] = new(["organizationId", "clientId"], ["webhookSecretKey", "region", "groupId", "apiVersion", "agentAccessToken"], ["webhookSecretKey", "agentAccessToken"]),
        ["zoho-salesiq"] = new(["clientId", "clientSecret", "screenName", "region"], ["departmentId", "appId", "publicKey"], ["clientSecret"]),
        ["livedesk"] = new(["apiKey", "apiSecret"], ["baseUrl", "inboxId", "webhookSecret"], ["apiSecret", "webhookSecret"]),
        ["sobot"] = new(["appId", "appKey"], ["baseUrl", "companyId", "forwardingKey"], ["appKey", "forwardingKey"]),
    };

    public static bool IsSecret(string kind, string key) => All.TryGetValue(kind, out var rules) && rules.Secrets.Contains(key);
}
