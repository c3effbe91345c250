namespace Handoff.Testing;

/// <summary>Waiting for what another party does at its own pace (a fake desk, a timer), without fixed sleeps.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, int seconds = 10)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition() && DateTime.UtcNow < until) await Task.Delay(30);
        if (!condition()) throw new TimeoutException(what);
    }
}
