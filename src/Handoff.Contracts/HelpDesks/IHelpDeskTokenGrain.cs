namespace Handoff.Contracts.HelpDesks;

/// <summary>
/// What a desk token is fetched with: the token source (the desk's kind) and its credentials. <see cref="ToString"/>
/// leaves the credentials out, so they never reach a log.
/// </summary>
[GenerateSerializer, Immutable, Alias("handoff.helpdesk-token-request")]
public sealed record HelpDeskTokenRequest([property: Id(0)] string Source, [property: Id(1)] IReadOnlyDictionary<string, string> Credentials)
{
    public override string ToString() => $"HelpDeskTokenRequest {{ Source = {Source} }}";
}

/// <summary>A desk's API token and when it stops working. <see cref="ToString"/> leaves the token out.</summary>
[GenerateSerializer, Immutable, Alias("handoff.helpdesk-access-token")]
public sealed record HelpDeskAccessToken([property: Id(0)] string Token, [property: Id(1)] DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"HelpDeskAccessToken {{ ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>
/// The one token of a desk account for the whole cluster, for desks whose token call invalidates the earlier tokens
/// (Sobot's <c>get_token</c>): only this grain fetches, one fetch at a time, ahead of expiry, and again only when the
/// desk refused the current one. Key: <see cref="KeyFor"/>. Failures throw <see cref="HelpDeskFailedException"/>.
/// </summary>
[Alias("handoff.helpdesk-token-grain")]
public interface IHelpDeskTokenGrain : IGrainWithStringKey
{
    /// <summary>The source first, so an all-digit account id is never the whole key.</summary>
    static string KeyFor(string source, string account) => source + "/" + account;

    [Alias("get")] Task<HelpDeskAccessToken> GetAsync(HelpDeskTokenRequest request);

    /// <summary>The desk refused <paramref name="rejectedToken"/>: fetch anew if it is still the current token, else answer the current one.</summary>
    [Alias("renew")] Task<HelpDeskAccessToken> RenewAsync(HelpDeskTokenRequest request, string rejectedToken);
}
