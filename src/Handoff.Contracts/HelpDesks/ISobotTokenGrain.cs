namespace Handoff.Contracts.HelpDesks;

/// <summary>What a Sobot token is fetched with. <see cref="ToString"/> leaves the key out, so it never reaches a log.</summary>
[GenerateSerializer, Immutable, Alias("handoff.sobot-credentials")]
public sealed record SobotCredentials([property: Id(0)] string BaseUrl, [property: Id(1)] string AppId, [property: Id(2)] string AppKey)
{
    public override string ToString() => $"SobotCredentials {{ BaseUrl = {BaseUrl}, AppId = {AppId} }}";
}

/// <summary>A Sobot API token and when it stops working. <see cref="ToString"/> leaves the token out.</summary>
[GenerateSerializer, Immutable, Alias("handoff.sobot-access-token")]
public sealed record SobotAccessToken([property: Id(0)] string Token, [property: Id(1)] DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"SobotAccessToken {{ ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>
/// The one Sobot token of an appId for the whole cluster: each <c>get_token</c> invalidates the earlier tokens, so
/// only this grain fetches, one fetch at a time, ahead of expiry, and again only when the desk refused the current one.
/// Key: <see cref="KeyFor"/>. Failures throw <see cref="HelpDeskFailedException"/>.
/// </summary>
[Alias("handoff.sobot-token-grain")]
public interface ISobotTokenGrain : IGrainWithStringKey
{
    /// <summary>Prefixed so an all-digit appId is not mistaken for a numeric key.</summary>
    static string KeyFor(string appId) => "sobot-" + appId;

    [Alias("get")] Task<SobotAccessToken> GetAsync(SobotCredentials credentials);

    /// <summary>The desk refused <paramref name="rejectedToken"/>: fetch anew if it is still the current token, else answer the current one.</summary>
    [Alias("renew")] Task<SobotAccessToken> RenewAsync(SobotCredentials credentials, string rejectedToken);
}
