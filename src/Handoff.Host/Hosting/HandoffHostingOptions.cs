using System.Net;

namespace Handoff.Host.Hosting;

/// <summary>Which part of the cluster this process plays.</summary>
public enum HostRole
{
    /// <summary>Silo and web front end in one process (the default, and the usual production node).</summary>
    All,

    /// <summary>Web front end only, as an Orleans client of a cluster of <see cref="All"/> nodes.</summary>
    Frontend,
}

/// <summary>Where grain state, reminders and cluster membership live.</summary>
public enum StorageMode
{
    /// <summary>Localhost clustering, in-memory state and reminders: nothing survives a restart.</summary>
    Memory,

    /// <summary>PostgreSQL through the Orleans ADO.NET providers.</summary>
    Postgres,
}

/// <summary>The hosting settings read from the <c>Handoff</c> configuration section.</summary>
public sealed class HandoffHostingOptions
{
    public const string Section = "Handoff";
    public const string ConnectionStringName = "Handoff";

    public HostRole Role { get; init; } = HostRole.All;
    public StorageMode Storage { get; init; } = StorageMode.Memory;
    public bool ApplySchema { get; init; } = true;
    public string? ConnectionString { get; init; }
    public ClusterSettings Cluster { get; init; } = new();
    public ReminderSettings Reminders { get; init; } = new();

    /// <summary>Reads and checks the settings; a bad value stops start-up with a message naming the key.</summary>
    public static HandoffHostingOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var options = new HandoffHostingOptions
        {
            Role = ParseEnum<HostRole>(section["Role"], "Handoff:Role", HostRole.All),
            Storage = ParseEnum<StorageMode>(section["Storage"], "Handoff:Storage", StorageMode.Memory),
            ApplySchema = section.GetValue("ApplySchema", true),
            ConnectionString = configuration.GetConnectionString(ConnectionStringName),
            Cluster = section.GetSection("Cluster").Get<ClusterSettings>() ?? new ClusterSettings(),
            Reminders = section.GetSection("Reminders").Get<ReminderSettings>() ?? new ReminderSettings(),
        };

        if (options.Storage == StorageMode.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException(
                "Handoff:Storage is 'postgres' but ConnectionStrings:Handoff is empty. " +
                "Set it, e.g. ConnectionStrings__Handoff='Host=127.0.0.1;Port=5432;Database=handoff;Username=handoff;Password=…'.");
        }

        if (options.Cluster.AdvertisedAddress is { Length: > 0 } address && !IPAddress.TryParse(address, out _))
        {
            throw new InvalidOperationException($"Handoff:Cluster:AdvertisedAddress '{address}' is not an IP address.");
        }

        return options;
    }

    private static T ParseEnum<T>(string? value, string key, T fallback) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            return parsed;
        }

        var allowed = string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        throw new InvalidOperationException($"{key} is '{value}'; expected one of: {allowed}.");
    }
}

/// <summary>Orleans identities and ports (<c>Handoff:Cluster</c>).</summary>
public sealed class ClusterSettings
{
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    public string ServiceId { get; init; } = "handoff";
    public string ClusterId { get; init; } = "handoff";

    /// <summary>The address other silos reach this one on; Orleans picks one of the host's own when unset.</summary>
    public string? AdvertisedAddress { get; init; }
}

/// <summary>Reminder tuning (<c>Handoff:Reminders</c>): the backstop period bounds how late a timeout can be after a node dies.</summary>
public sealed class ReminderSettings
{
    public TimeSpan? MinimumPeriod { get; init; }
}
