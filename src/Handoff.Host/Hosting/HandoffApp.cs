using Handoff.Grains.HelpDesks;
using Handoff.HelpDesks;
using Handoff.Host.Api;
using Handoff.Host.Health;
using Handoff.Host.Realtime;
using Handoff.Host.Security;
using Handoff.Host.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Handoff.Host.Hosting;

/// <summary>Builds the one host binary; <c>Program</c> and the functional tests share it.</summary>
public static class HandoffApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        // Operator bodies are small JSON; nothing public needs more than this.
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 1024 * 1024);
        builder.AddHandoffOrleans();

        // The front end reads the desks' catalog in both roles (receivers, validation, the console's kinds); the desk
        // clients registered with it run only in silos, where their shared tokens come from the token grains.
        builder.Services.AddHelpDesks();
        builder.Services.TryAddSingleton<IHelpDeskTokens, GrainHelpDeskTokens>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHandoffHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddHandoffAuthentication();
        builder.Services.AddHandoffRateLimits(builder.Configuration);
        builder.Services.AddSignalR(o => o.MaximumReceiveMessageSize = 64 * 1024);
        builder.Services.AddSingleton<ChatPushRelay>();
        builder.Services.AddSingleton<ChatPushSubscriptions>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ChatPushSubscriptions>());
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never);
        if (builder.Configuration.GetValue("Handoff:Demo:Enabled", HandoffHostingOptions.From(builder.Configuration).Storage == StorageMode.Memory))
        {
            builder.Services.AddHostedService<DemoAgent>();
        }

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHandoffHealth();
        app.MapOpenApi();
        app.MapAgentEndpoints();
        app.MapConversationEndpoints();
        app.MapBotEndpoints();
        app.MapWebhookDeskEndpoints();
        app.MapHelpDeskWebhookEndpoints();
        app.MapHelpDeskConsentEndpoints();
        app.MapHelpDeskKindEndpoints();
        app.MapHub<ChatHub>("/hubs/chat");
        app.MapChatPages();
        return app;
    }
}
