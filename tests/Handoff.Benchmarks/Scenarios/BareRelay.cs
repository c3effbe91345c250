using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Handoff.Benchmarks.Scenarios;

/// <summary>
/// B1: what any relay of a webhook to a browser must do at least. Kestrel, one JSON parse, one push through
/// <see cref="IHubContext{THub}"/> to the group of the one client the body names; no Orleans, auth or database.
/// </summary>
public sealed class BareRelay : IAsyncDisposable
{
    private readonly WebApplication app;

    private BareRelay(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<BareRelay> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSignalR();
        var app = builder.Build();
        long seq = 0;
        app.MapHub<RelayHub>("/hub");
        app.MapPost("/relay", async (HttpRequest request, IHubContext<RelayHub> hub) =>
        {
            using var json = await JsonDocument.ParseAsync(request.Body);
            var root = json.RootElement;
            var group = root.GetProperty("conversation_id").GetString()!;
            // The same shape of ChatMessage the real host pushes, so both serialise the same amount.
            await hub.Clients.Group(group).SendAsync("message", new
            {
                seq = Interlocked.Increment(ref seq),
                id = root.GetProperty("message_id").GetString(),
                from = "human",
                text = root.GetProperty("body").GetString(),
                at = DateTimeOffset.UtcNow,
                senderName = root.GetProperty("sender_name").GetString(),
            });
            return Results.Json(new { code = 0, message = "ok" });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BareRelay(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public sealed class RelayHub : Hub
{
    public override Task OnConnectedAsync() =>
        Groups.AddToGroupAsync(Context.ConnectionId, Context.GetHttpContext()!.Request.Query["group"].ToString());
}
