using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Handoff.Desk;

/// <summary>Builds the reference desk; <c>Program</c> and the tests share it.</summary>
public static class DeskApp
{
    /// <param name="args">Command line, e.g. <c>--urls=http://127.0.0.1:0 --Desk:ReceivingKey=...</c>.</param>
    /// <param name="store">Pass the same store to a second build to simulate the desk restarting without losing its conversations.</param>
    public static WebApplication Build(string[] args, DeskStore? store = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        AddDemoPairing(builder.Configuration);
        var options = DeskOptions.Load(builder.Configuration);

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(store ?? new DeskStore());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddHttpClient<HandoffClient>(client =>
        {
            client.BaseAddress = options.HandoffBaseUri;
            client.Timeout = TimeSpan.FromSeconds(15);
        });

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        UsePage(app);
        app.MapDeskProtocol(options.BasePath);
        app.MapDeskConsole();

        app.Logger.LogInformation(
            "Desk webhook at {BasePath} (basic auth {Basic}, signing {Signing}); human replies go to {Handoff}.",
            options.BasePath, options.BasicAuthRequired ? "on" : "off", options.SigningEnabled ? "on" : "off",
            options.HandoffBaseUri?.ToString() ?? "(Desk:HandoffBaseUrl not set)");
        return app;
    }

    /// <summary>Where the host's first-run demo agent leaves the desk's settings (receiving key, host URL).</summary>
    public static string DemoPairingFile { get; } = Path.Combine(Path.GetTempPath(), "handoff-demo", "desk.json");

    // The pairing file comes before the command line, so anything given explicitly wins.
    private static void AddDemoPairing(ConfigurationManager configuration)
    {
        if (!File.Exists(DemoPairingFile))
        {
            return;
        }

        var sources = (IList<IConfigurationSource>)configuration.Sources;
        var commandLine = sources.ToList().FindIndex(s => s is Microsoft.Extensions.Configuration.CommandLine.CommandLineConfigurationSource);
        var pairing = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = DemoPairingFile, Optional = true };
        pairing.ResolveFileProvider();
        try
        {
            sources.Insert(commandLine < 0 ? sources.Count : commandLine, pairing);
        }
        catch (InvalidDataException)
        {
            // A half-written or foreign file: start without it, as if there were no demo pairing.
            sources.Remove(pairing);
        }
    }

    private static void UsePage(WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(DeskApp).Assembly, "Handoff.Desk.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                // The page shows text typed by strangers; nothing but our own files may run or load.
                headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache";
            },
        });
    }
}
