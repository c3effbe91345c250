using System.Reflection;
using Handoff.Host.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Handoff.IntegrationTests.Storage;

/// <summary>In-process Orleans clusters wired to PostgreSQL through our own hosting extensions and scripts.</summary>
internal static class PostgresClusters
{
    /// <summary>Grain state and reminders on PostgreSQL; membership in memory (the test cluster's own).</summary>
    public static async Task<InProcessTestCluster> StartWithStorageAsync(string connectionString, string serviceId, short silos = 1)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ServiceId = serviceId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddHandoffPostgresStorage(connectionString);
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
        QuietLogs(builder);
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Membership, state and reminders all on PostgreSQL, with fast failure detection.</summary>
    public static async Task<InProcessTestCluster> StartFullyDurableAsync(string connectionString, string serviceId, short silos,
        Action<IServiceCollection>? services = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ServiceId = serviceId;
        // Not public in 10.4.2; without it the test cluster's in-memory membership would replace ours.
        typeof(InProcessTestClusterOptions).GetProperty("UseTestClusterMembership", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!
            .SetValue(builder.Options, false);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            silo.AddHandoffPostgresStorage(connectionString);
            services?.Invoke(silo.Services);
            silo.Configure<ReminderOptions>(o =>
            {
                o.MinimumReminderPeriod = TimeSpan.FromSeconds(1);
                o.RefreshReminderListPeriod = TimeSpan.FromSeconds(2);
                o.ReminderLoadingWindow = TimeSpan.FromSeconds(2);
            });
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
        });
        builder.ConfigureClient(client => client.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        }));
        QuietLogs(builder);
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static void QuietLogs(InProcessTestClusterBuilder builder)
    {
        builder.ConfigureHost(host => host.Logging.SetMinimumLevel(LogLevel.Warning));
    }
}
