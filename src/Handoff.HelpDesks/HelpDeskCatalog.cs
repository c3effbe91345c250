using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Handoff.HelpDesks;

/// <summary>
/// The registered help-desk kinds, built from every <see cref="HelpDeskDescriptor"/> in the container: the one
/// place the host, the grains and the console ask what kinds exist and what each allows.
/// </summary>
public sealed class HelpDeskCatalog
{
    private readonly Dictionary<string, HelpDeskDescriptor> byKind;

    public HelpDeskCatalog(IEnumerable<HelpDeskDescriptor> descriptors)
    {
        byKind = new Dictionary<string, HelpDeskDescriptor>(StringComparer.Ordinal);
        var all = new List<HelpDeskDescriptor>();
        foreach (var descriptor in descriptors)
        {
            // The same descriptor registered twice (a host and a test silo both adding the built-ins) counts once.
            if (byKind.TryAdd(descriptor.Kind, descriptor))
            {
                all.Add(descriptor);
            }
        }

        All = all;
    }

    /// <summary>Every registered kind, in registration order.</summary>
    public IReadOnlyList<HelpDeskDescriptor> All { get; }

    public IEnumerable<string> Kinds => All.Select(d => d.Kind);

    public HelpDeskDescriptor? Find(string kind) => byKind.GetValueOrDefault(kind);

    /// <summary>True when a chat channel is a desk's own messenger or widget: a registered kind with a channel of its own.</summary>
    public bool IsHelpDeskChannel(string channel) => Find(channel) is { HasOwnChannel: true };

    /// <summary>The chat channels the desks bring (their kinds), beside our own widget, iframe, share, API and messengers.</summary>
    public IEnumerable<string> HelpDeskChannels => All.Where(d => d.HasOwnChannel).Select(d => d.Kind);

    public bool Has(string kind, HelpDeskCapabilities capability) => Find(kind)?.Has(capability) ?? false;

    public bool IsSecret(string kind, string key) => Find(kind)?.Settings.IsSecret(key) ?? false;

    public bool IsGranted(string kind, string key) => Find(kind)?.Settings.IsGranted(key) ?? false;

    /// <summary>True when a kind that needs an authorisation at the desk has not had it yet.</summary>
    public bool AwaitsAuthorization(string kind, IReadOnlyDictionary<string, string> settings) =>
        Find(kind)?.Settings.GrantedKeys.Any(k => !settings.ContainsKey(k)) ?? false;

    /// <summary>
    /// Whether the grant stored with <paramref name="previous"/> settings still holds for <paramref name="next"/>: a
    /// grant belongs to the settings its consent named (the OAuth client, its data centre); other changes keep it.
    /// </summary>
    public bool KeepsGrant(string kind, IReadOnlyDictionary<string, string> previous, IReadOnlyDictionary<string, string> next) =>
        Find(kind)?.Consent is not { } consent || consent.GrantBoundTo.All(k => previous.GetValueOrDefault(k) == next.GetValueOrDefault(k));
}

/// <summary>Registers help-desk kinds: their descriptors, what each needs in the container, and the catalog.</summary>
public static class HelpDeskServiceCollectionExtensions
{
    /// <summary>Every built-in help-desk: the one place the list of desks is written. Safe to call more than once.</summary>
    public static IServiceCollection AddHelpDesks(this IServiceCollection services)
    {
        services.AddHelpDesk(new Webhook.WebhookDescriptor());
        services.AddHelpDesk(new Intercom.IntercomDescriptor());
        services.AddHelpDesk(new LiveChat.LiveChatDescriptor());
        services.AddHelpDesk(new ZohoSalesIq.ZohoSalesIqDescriptor());
        services.AddHelpDesk(new Livedesk.LivedeskDescriptor());
        services.AddHelpDesk(new Sobot.SobotDescriptor());
        return services;
    }

    /// <summary>Adds one help-desk kind (a built-in or, say, a test's own); a kind already added is left as it is.</summary>
    public static IServiceCollection AddHelpDesk(this IServiceCollection services, HelpDeskDescriptor descriptor)
    {
        var known = services.Any(s => s.ServiceType == typeof(HelpDeskDescriptor) &&
                                      s.ImplementationInstance is HelpDeskDescriptor d && d.Kind == descriptor.Kind);
        if (!known)
        {
            // Registering twice would stack a second resilience pipeline on the desk's HttpClient.
            services.AddSingleton(descriptor);
            descriptor.Register(services);
        }

        services.TryAddSingleton<HelpDeskCatalog>();
        return services;
    }
}
