using System.Reflection;
using Npgsql;

namespace Handoff.Host.Hosting;

/// <summary>
/// Applies the scripts of <c>deploy/sql/postgresql</c> (embedded in this assembly, in file-name order).
/// The scripts are idempotent; an advisory lock keeps nodes that start together from applying them at once.
/// </summary>
public static class PostgresSchema
{
    private const long AdvisoryLockKey = 0x48616E646F6666; // "Handoff"
    private const string ResourcePrefix = "Handoff.Host.sql.postgresql.";

    public static IReadOnlyList<string> ScriptNames { get; } = typeof(PostgresSchema).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static async Task ApplyAsync(string connectionString, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        if (ScriptNames.Count == 0)
        {
            throw new InvalidOperationException("No schema scripts are embedded in Handoff.Host; the build is broken.");
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var name in ScriptNames)
        {
            var sql = await ReadScriptAsync(name, cancellationToken);
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
            logger?.LogDebug("Applied schema script {Script}", name[ResourcePrefix.Length..]);
        }

        await transaction.CommitAsync(cancellationToken);
        logger?.LogInformation("PostgreSQL schema is up to date ({Count} scripts).", ScriptNames.Count);
    }

    private static async Task<string> ReadScriptAsync(string resourceName, CancellationToken cancellationToken)
    {
        await using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded script {resourceName} is missing.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }
}
