using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Handoff.Benchmarks.Scenarios;

/// <summary>
/// The thinnest desk of the generic webhook protocol: it answers ok at once and reports establish and chat calls
/// to the benchmark, so that what is measured is the host and not a desk that keeps everything it was sent.
/// </summary>
public sealed class BenchDesk : IAsyncDisposable
{
    private readonly WebApplication app;

    private BenchDesk(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>(conversation id as <c>anonymous_id</c>, hand-off id).</summary>
    public Action<string, string>? Established { get; set; }

    /// <summary>(hand-off id, body).</summary>
    public Action<string, string>? Chat { get; set; }

    public static async Task<BenchDesk> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        BenchDesk? desk = null;
        app.MapGet("/desk", () => Results.Ok());
        app.MapPost("/desk/conversation/establish", async (HttpRequest request) =>
        {
            using var json = await JsonDocument.ParseAsync(request.Body);
            var root = json.RootElement;
            desk!.Established?.Invoke(root.GetProperty("user_info").GetProperty("anonymous_id").GetString()!, root.GetProperty("conversation_id").GetString()!);
            return Ok;
        });
        app.MapPost("/desk/chat", async (HttpRequest request) =>
        {
            using var json = await JsonDocument.ParseAsync(request.Body);
            var root = json.RootElement;
            desk!.Chat?.Invoke(root.GetProperty("conversation_id").GetString()!, root.GetProperty("body").GetString()!);
            return Ok;
        });
        app.MapPost("/desk/conversation/close", () => Ok);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        desk = new BenchDesk(app, address + "/desk");
        return desk;
    }

    private static readonly IResult Ok = Results.Json(new { code = 0, message = "ok" });

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
