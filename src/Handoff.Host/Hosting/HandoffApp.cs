using Handoff.Host.Health;

namespace Handoff.Host.Hosting;

/// <summary>Builds the one host binary; <c>Program</c> and the functional tests share it.</summary>
public static class HandoffApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        builder.AddHandoffOrleans();
        builder.Services.AddHandoffHealthChecks();
        builder.Services.AddProblemDetails();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHandoffHealth();
        return app;
    }
}
