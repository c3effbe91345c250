using System.Diagnostics;
using Npgsql;

namespace Handoff.Testing;

/// <summary>
/// A throwaway PostgreSQL server for the test run: Debian's binaries, a temporary data directory and a free
/// loopback port, run as the <c>postgres</c> user when the tests run as root. With
/// <c>HANDOFF_TEST_POSTGRES</c> set (a connection string with the right to create databases) that server is used instead.
/// Each caller gets a database of its own.
/// </summary>
public sealed class PostgresServer
{
    public const string ExternalServerVariable = "HANDOFF_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartSharedAsync);

    private readonly string adminConnectionString;
    private readonly string? dataDirectory;
    private readonly string? binDirectory;
    private readonly string? runAsUser;

    private PostgresServer(string adminConnectionString, string? dataDirectory, string? binDirectory, string? runAsUser)
    {
        this.adminConnectionString = adminConnectionString;
        this.dataDirectory = dataDirectory;
        this.binDirectory = binDirectory;
        this.runAsUser = runAsUser;
    }

    /// <summary>The one server of this test process, started on first use and stopped when the process exits.</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>Creates an empty database and answers its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "handoff")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = true, MaxPoolSize = 50 }.ConnectionString;
    }

    private static async Task<PostgresServer> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(ExternalServerVariable) is { Length: > 0 } external)
        {
            return new PostgresServer(external, null, null, null);
        }

        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found (looked in /usr/lib/postgresql/*/bin and PATH). " +
            $"Install them (apt-get install postgresql) or set {ExternalServerVariable} to a connection string.");
        var runAs = IsRoot() ? "postgres" : null;
        var dir = Path.Combine(Path.GetTempPath(), $"handoff-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        if (runAs is not null)
        {
            await RunAsync("chown", [runAs, dir]);
        }

        var data = Path.Combine(dir, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"], runAs);
        var port = FreePorts.Next();
        var settings = $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                       "-c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB";
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", settings, "-l", Path.Combine(dir, "server.log"), "-w", "-t", "60", "start"], runAs);

        var server = new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false", data, bin, runAs);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.StopNow(dir);
        return server;
    }

    private void StopNow(string directory)
    {
        try
        {
            var start = Start(Path.Combine(binDirectory!, "pg_ctl"), ["-D", dataDirectory!, "-m", "immediate", "-w", "stop"], runAsUser);
            using var process = Process.Start(start)!;
            process.WaitForExit(15_000);
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Best effort at process exit: the directory sits in the temp folder.
        }
    }

    private static string? FindBinDirectory()
    {
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            var found = Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
            if (found is not null)
            {
                return found;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private static bool IsRoot() => Environment.UserName == "root";

    private static ProcessStartInfo Start(string file, IReadOnlyList<string> arguments, string? runAs = null)
    {
        var start = new ProcessStartInfo(runAs is null ? file : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (runAs is not null)
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(runAs);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(file);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, string? runAs = null)
    {
        using var process = Process.Start(Start(file, arguments, runAs))
            ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
