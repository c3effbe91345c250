using System.Net;
using Handoff.Grains;
using Orleans.Configuration;

namespace Handoff.Host.Hosting;

/// <summary>Wires Orleans into the web host according to <see cref="HandoffHostingOptions"/>.</summary>
public static class OrleansHostingExtensions
{
    /// <summary>The grain storage every <c>[PersistentState]</c> of ours names.</summary>
    public const string GrainStorageName = GrainStorage.Name;

    private const string Invariant = "Npgsql";

    public static WebApplicationBuilder AddHandoffOrleans(this WebApplicationBuilder builder)
    {
        var options = HandoffHostingOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);

        // Registered before Orleans so that it runs first: the providers read OrleansQuery as they start.
        builder.Services.AddHostedService<StoragePreparation>();

        if (options.Role == HostRole.All)
        {
            builder.Services.AddHandoffGrainServices(options.Storage == StorageMode.Postgres ? options.ConnectionString : null);
            builder.UseOrleans(silo => silo.AddHandoffSilo(options));
        }
        else
        {
            builder.UseOrleansClient(client => client.AddHandoffClient(options));
        }

        return builder;
    }

    /// <summary>Clustering, grain storage and reminders of a Handoff silo.</summary>
    public static ISiloBuilder AddHandoffSilo(this ISiloBuilder silo, HandoffHostingOptions options)
    {
        var cluster = options.Cluster;
        if (options.Storage == StorageMode.Memory)
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            silo.AddMemoryGrainStorage(GrainStorageName);
            UseBinaryState<MemoryGrainStorageOptions>(silo);
            silo.UseInMemoryReminderService();
        }
        else
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = cluster.ServiceId;
                o.ClusterId = cluster.ClusterId;
            });
            if (cluster.AdvertisedAddress is { Length: > 0 } address)
            {
                silo.ConfigureEndpoints(IPAddress.Parse(address), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
            }
            else
            {
                silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
            }

            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = options.ConnectionString;
            });
            silo.AddHandoffPostgresStorage(options.ConnectionString!);
        }

        if (options.Reminders.MinimumPeriod is { } period)
        {
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = period);
        }

        return silo;
    }

    /// <summary>Grain state and reminders on PostgreSQL, without clustering (tests combine it with test membership).</summary>
    public static ISiloBuilder AddHandoffPostgresStorage(this ISiloBuilder silo, string connectionString)
    {
        silo.AddAdoNetGrainStorage(GrainStorageName, o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        UseBinaryState<AdoNetGrainStorageOptions>(silo);
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        return silo;
    }

    /// <summary>How a <see cref="HostRole.Frontend"/> process finds the cluster's gateways.</summary>
    public static IClientBuilder AddHandoffClient(this IClientBuilder client, HandoffHostingOptions options)
    {
        var cluster = options.Cluster;
        if (options.Storage == StorageMode.Memory)
        {
            client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
        }
        else
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = cluster.ServiceId;
                o.ClusterId = cluster.ClusterId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = options.ConnectionString;
            });
        }

        return client;
    }

    /// <summary>
    /// Grain state in Orleans' binary format (our state classes are <c>[GenerateSerializer]</c> with stable ids) instead of
    /// the JSON default, whose serialisation cost about a third of the allocations per inbound message
    /// (docs/performance.md). PostgreSQL keeps it in <c>OrleansStorage.PayloadBinary</c> as before.
    /// </summary>
    private static void UseBinaryState<TOptions>(ISiloBuilder silo) where TOptions : class, Orleans.Storage.IStorageProviderSerializerOptions =>
        silo.Services.AddOptions<TOptions>(GrainStorageName)
            .Configure<Orleans.Serialization.Serializer>((o, serializer) => o.GrainStorageSerializer = new Orleans.Storage.OrleansGrainStorageSerializer(serializer));
}
