using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Handoff.Testing;

/// <summary>The small Kestrel apps the fakes are: a free loopback port, quiet logs.</summary>
public static class LoopbackApp
{
    public static WebApplication Create()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder.Build();
    }

    /// <summary>Starts the app and answers the address it listens on.</summary>
    public static async Task<string> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return AddressOf(app);
    }

    public static string AddressOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
