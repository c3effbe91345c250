using System.Security.Cryptography;
using System.Text;
using Handoff.Contracts.HelpDesks;
using Handoff.HelpDesks;
using Handoff.HelpDesks.Sobot;

namespace Handoff.Grains.HelpDesks;

/// <summary>
/// Holds the cluster's one Sobot token of an appId (shared/helpdesks.md 5.1). Not reentrant: concurrent callers queue
/// behind one fetch and then share its token (single flight). The token lives in memory only; a new activation
/// fetches once, which invalidates nothing anyone else still uses, since every holder gets it from here.
/// </summary>
[GrainType("sobot-token")]
public sealed class SobotTokenGrain(IHttpClientFactory httpClients, TimeProvider time) : Grain, ISobotTokenGrain
{
    private static readonly TimeSpan MaxRenewAhead = TimeSpan.FromHours(1);

    private SobotAccessToken? current;
    private DateTimeOffset renewAt;

    // Which credentials fetched the current token: a caller with another key or host does not get it unchecked.
    private string? fetchedWith;

    public async Task<SobotAccessToken> GetAsync(SobotCredentials credentials)
    {
        if (current is not null && fetchedWith == Fingerprint(credentials) && time.GetUtcNow() < renewAt)
        {
            return current;
        }

        return await FetchAsync(credentials);
    }

    public async Task<SobotAccessToken> RenewAsync(SobotCredentials credentials, string rejectedToken)
    {
        // A caller holding an older token is answered with the current one: two callers refused together renew once.
        if (current is not null && current.Token != rejectedToken)
        {
            return await GetAsync(credentials);
        }

        return await FetchAsync(credentials);
    }

    private async Task<SobotAccessToken> FetchAsync(SobotCredentials credentials)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var now = time.GetUtcNow();
        try
        {
            var (token, expiresIn) = await SobotTokenApi.FetchAsync(httpClients.CreateClient(SobotHelpDesk.HttpClientName),
                credentials.BaseUrl, credentials.AppId, credentials.AppKey, now, limit.Token);
            current = new SobotAccessToken(token, now + expiresIn);
            fetchedWith = Fingerprint(credentials);

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
            throw new HelpDeskFailedException("Sobot did not answer the token request within 10 s", null);
        }
    }

    private static string Fingerprint(SobotCredentials c) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(c.BaseUrl.TrimEnd('/') + "\n" + c.AppKey)));
}

/// <summary>The Sobot client's tokens, from the cluster's token grain of the appId.</summary>
public sealed class GrainSobotTokens(IGrainFactory grains) : ISobotTokens
{
    public Task<string> GetAsync(string baseUrl, string appId, string appKey, CancellationToken cancellationToken) =>
        Call(g => g.GetAsync(new SobotCredentials(baseUrl, appId, appKey)), appId, cancellationToken);

    public Task<string> RenewAsync(string baseUrl, string appId, string appKey, string rejectedToken, CancellationToken cancellationToken) =>
        Call(g => g.RenewAsync(new SobotCredentials(baseUrl, appId, appKey), rejectedToken), appId, cancellationToken);

    private async Task<string> Call(Func<ISobotTokenGrain, Task<SobotAccessToken>> call, string appId, CancellationToken cancellationToken)
    {
        try
        {
            return (await call(grains.GetGrain<ISobotTokenGrain>(ISobotTokenGrain.KeyFor(appId))).WaitAsync(cancellationToken)).Token;
        }
        catch (HelpDeskFailedException ex)
        {
            throw new HelpDeskCallException(ex.Message, ex.StatusCode);
        }
    }
}
