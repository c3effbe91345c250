using Handoff.Host.Hosting;

if (args.Contains("--apply-schema"))
{
    // One-off: apply deploy/sql/postgresql to ConnectionStrings:Handoff and exit.
    var config = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables()
        .AddCommandLine(args.Where(a => a != "--apply-schema").ToArray()).Build();
    var connectionString = config.GetConnectionString(HandoffHostingOptions.ConnectionStringName)
        ?? throw new InvalidOperationException("Set ConnectionStrings:Handoff (env ConnectionStrings__Handoff) to apply the schema.");
    await PostgresSchema.ApplyAsync(connectionString);
    Console.WriteLine($"Applied {PostgresSchema.ScriptNames.Count} schema scripts.");
    return;
}

var app = HandoffApp.Build(args);
await app.RunAsync();
