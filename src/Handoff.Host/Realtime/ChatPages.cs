using Handoff.Host.Api;
using Microsoft.Extensions.FileProviders;

namespace Handoff.Host.Realtime;

/// <summary>
/// The browser side of chat: <c>/widget.js</c> (the bubble), <c>/chat/{agentId}</c> (the full page, also the bubble's
/// frame), their scripts and the SignalR client from npm, all served from this assembly.
/// </summary>
public static class ChatPages
{
    private static readonly EmbeddedFileProvider Files = new(typeof(ChatPages).Assembly, "Handoff.Host.ChatUi");

    public static WebApplication MapChatPages(this WebApplication app)
    {
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            OnPrepareResponse = context =>
            {
                context.Context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Context.Response.Headers.CacheControl = "no-cache";
            },
        });
        app.MapGet("/chat/{agentId}", (string agentId) => AgentIds.IsValid(agentId) ? Page("chat.html") : AgentIds.Invalid());
        app.MapGet("/demo", () => Page("demo.html"));
        app.MapGet("/console", () => Page("console.html"));
        return app;
    }

    private static IResult Page(string name)
    {
        var file = Files.GetFileInfo(name);
        return Results.Stream(file.CreateReadStream(), "text/html; charset=utf-8");
    }
}
