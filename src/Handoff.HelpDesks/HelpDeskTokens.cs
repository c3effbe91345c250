namespace Handoff.HelpDesks;

/// <summary>
/// Where a help-desk client gets an API token that must be shared cluster-wide: desks whose token call invalidates
/// the tokens issued before it (Sobot's <c>get_token</c>) must have exactly one holder per account, so the silo
/// answers this with a single-flight token grain per (source, account), never one token per call.
/// Failures throw <see cref="HelpDeskCallException"/>.
/// </summary>
public interface IHelpDeskTokens
{
    /// <param name="source">The <see cref="IHelpDeskTokenSource.Name"/> that fetches the token.</param>
    /// <param name="account">Whose token it is at the desk (an appId): one token per account for the cluster.</param>
    /// <param name="credentials">What the source fetches with; a holder with other credentials does not get the token unchecked.</param>
    Task<string> GetAsync(string source, string account, IReadOnlyDictionary<string, string> credentials, CancellationToken cancellationToken);

    /// <summary>After the desk refused <paramref name="rejectedToken"/>: a new one, fetched only if it is still the current one.</summary>
    Task<string> RenewAsync(string source, string account, IReadOnlyDictionary<string, string> credentials, string rejectedToken, CancellationToken cancellationToken);
}

/// <summary>The one token call of a desk, made only by the token grain. Registered by the desk's descriptor.</summary>
public interface IHelpDeskTokenSource
{
    /// <summary>Names the source in token grain keys (the desk's kind).</summary>
    string Name { get; }

    Task<(string Token, TimeSpan ExpiresIn)> FetchAsync(IReadOnlyDictionary<string, string> credentials, DateTimeOffset now, CancellationToken cancellationToken);
}
