namespace Handoff.Host.Hosting;

/// <summary>
/// Runs before the silo or client starts: applies the PostgreSQL schema when configured, and says loudly when
/// nothing is durable.
/// </summary>
internal sealed class StoragePreparation(HandoffHostingOptions options, ILogger<StoragePreparation> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Storage == StorageMode.Memory)
        {
            logger.LogWarning(
                "Storage is in memory: conversations, settings and reminders are NOT durable and are lost when this process stops. " +
                "Set Handoff:Storage=postgres and ConnectionStrings:Handoff for durable state.");
            return;
        }

        if (options.ApplySchema)
        {
            await PostgresSchema.ApplyAsync(options.ConnectionString!, logger, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
