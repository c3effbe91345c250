using System.Security.Cryptography;
using System.Text;
using Handoff.Contracts.HelpDesks;
using Handoff.HelpDesks;

namespace Handoff.Grains.HelpDesks;

/// <summary>
/// Holds the cluster's one token of a desk account (docs/helpdesks.md 5.1 for Sobot). Not reentrant: concurrent
/// callers queue behind one fetch and then share its token (single flight). The token lives in memory only; a new
/// activation fetches once, which invalidates nothing anyone else still uses, since every holder gets it from here.
/// </summary>
[GrainType("helpdesk-token")]
public sealed class HelpDeskTokenGrain(IEnumerable<IHelpDeskTokenSource> sources, TimeProvider time) : Grain, IHelpDeskTokenGrain
{
    private static readonly TimeSpan MaxRenewAhead = TimeSpan.FromHours(1);

    private HelpDeskAccessToken? current;
    private DateTimeOffset renewAt;

    // Which credentials fetched the current token: a caller with another key or host does not get it unchecked.
    private string? fetchedWith;

    public async Task<HelpDeskAccessToken> GetAsync(HelpDeskTokenRequest request)
    {
        if (current is not null && fetchedWith == Fingerprint(request) && time.GetUtcNow() < renewAt)
        {
            return current;
        }

        return await FetchAsync(request);
    }

    public async Task<HelpDeskAccessToken> RenewAsync(HelpDeskTokenRequest request, string rejectedToken)
    {
        // A caller holding an older token is answered with the current one: two callers refused together renew once.
        if (current is not null && current.Token != rejectedToken)
        {
            return await GetAsync(request);
        }

        return await FetchAsync(request);
    }

    private async Task<HelpDeskAccessToken> FetchAsync(HelpDeskTokenRequest request)
    {
        var source = sources.FirstOrDefault(s => s.Name == request.Source)
            ?? throw new HelpDeskFailedException($"no token source '{request.Source}' is registered", null);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var now = time.GetUtcNow();
        try
        {
            var (token, expiresIn) = await source.FetchAsync(request.Credentials, now, limit.Token);
            current = new HelpDeskAccessToken(token, now + expiresIn);
            fetchedWith = Fingerprint(request);

            // Ahead of expiry: a tenth of the lifetime before it ends, at most an hour.
            var ahead = TimeSpan.FromTicks(Math.Min(expiresIn.Ticks / 10, MaxRenewAhead.Ticks));
            renewAt = current.ExpiresAt - ahead;
            return current;
        }
        catch (HelpDeskCallException ex)
        {
            throw new HelpDeskFailedException(ex.Message, ex.StatusCode);
        }
        catch (OperationCanceledException)
        {
            throw new HelpDeskFailedException($"{request.Source} did not answer the token request within 10 s", null);
        }
    }

    private static string Fingerprint(HelpDeskTokenRequest r) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
        r.Source + "\n" + string.Join("\n", r.Credentials.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)))));
}

/// <summary>The help-desk clients' shared tokens, from the cluster's token grain of each (source, account).</summary>
public sealed class GrainHelpDeskTokens(IGrainFactory grains) : IHelpDeskTokens
{
    public Task<string> GetAsync(string source, string account, IReadOnlyDictionary<string, string> credentials, CancellationToken cancellationToken) =>
        Call(g => g.GetAsync(new HelpDeskTokenRequest(source, credentials)), source, account, cancellationToken);

    public Task<string> RenewAsync(string source, string account, IReadOnlyDictionary<string, string> credentials, string rejectedToken, CancellationToken cancellationToken) =>
        Call(g => g.RenewAsync(new HelpDeskTokenRequest(source, credentials), rejectedToken), source, account, cancellationToken);

    private async Task<string> Call(Func<IHelpDeskTokenGrain, Task<HelpDeskAccessToken>> call, string source, string account, CancellationToken cancellationToken)
    {
        try
        {
            return (await call(grains.GetGrain<IHelpDeskTokenGrain>(IHelpDeskTokenGrain.KeyFor(source, account))).WaitAsync(cancellationToken)).Token;
        }
        catch (HelpDeskFailedException ex)
        {
            throw new HelpDeskCallException(ex.Message, ex.StatusCode);
        }
    }
}
