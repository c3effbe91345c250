using System.Security.Cryptography;
using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Contracts.HelpDesks;
using Handoff.HelpDesks;

namespace Handoff.Grains.Agents;

/// <summary>
/// Holds one agent's hand-off settings, bot settings and help-desk connection, and tells the conversations that read
/// them when they change. It never calls a desk or a model: verification runs in the agent's help-desk grain.
/// </summary>
[GrainType("agent")]
public sealed class AgentGrain(
    [PersistentState(stateName: "agent", storageName: GrainStorage.Name)] IPersistentState<AgentState> state,
    SecretProtector secrets,
    TimeProvider time,
    HelpDeskCatalog catalog) : Grain, IAgentGrain
{
    private static readonly TimeSpan LiveFor = TimeSpan.FromMinutes(30);
    private const int MaxListeners = 10_000;
    private readonly Dictionary<string, LiveConversation> live = new();

    // Conversations holding a snapshot of this activation; each registers again with its next read after a change.
    private readonly HashSet<string> listeners = [];

    public Task ReportConversationAsync(LiveConversation conversation)
    {
        live[conversation.ConversationId] = conversation;
        var cutoff = time.GetUtcNow() - LiveFor;
        foreach (var old in live.Values.Where(c => c.State == "bot" && c.At < cutoff).Select(c => c.ConversationId).ToList())
        {
            live.Remove(old);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LiveConversation>> GetLiveConversationsAsync() =>
        Task.FromResult<IReadOnlyList<LiveConversation>>(live.Values.OrderByDescending(c => c.At).ToList());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Agents stored before the directory existed find their way into it on their next activation.
        if (state.State.Created)
        {
            await GrainFactory.GetGrain<IAgentDirectoryGrain>(IAgentDirectoryGrain.Key).AddAsync(AgentKeys.AgentIdOf(this.GetPrimaryKeyString()));
        }
    }

    public Task<bool> ExistsAsync() => Task.FromResult(state.State.Created);

    public async Task EnsureCreatedAsync()
    {
        if (!state.State.Created)
        {
            await MarkCreatedAsync();
            await SaveAsync();
        }
    }

    public Task<BotSettings?> GetBotSettingsAsync() => Task.FromResult(state.State.Bot is { } bot
        ? bot with { ApiKey = bot.ApiKey is null ? null : secrets.Unprotect(bot.ApiKey) }
        : null);

    public async Task SetBotSettingsAsync(BotSettings settings)
    {
        await MarkCreatedAsync();
        state.State.Bot = settings with { ApiKey = settings.ApiKey is null ? null : secrets.Protect(settings.ApiKey) };
        await SaveAsync();
    }

    public async Task<AgentSnapshot> GetSnapshotAsync(string? listenerConversationId)
    {
        if (listenerConversationId is not null && listeners.Count < MaxListeners)
        {
            listeners.Add(listenerConversationId);
        }

        return new AgentSnapshot(state.State.Version, state.State.Settings, await GetBotSettingsAsync(), Open(state.State.HelpDesk));
    }

    public Task<HandoffSettings?> GetHandoffSettingsAsync() => Task.FromResult(state.State.Settings);

    public async Task SetHandoffSettingsAsync(HandoffSettings settings)
    {
        await MarkCreatedAsync();
        state.State.Settings = settings;
        await SaveAsync();
    }

    public Task<HelpDeskConnection?> GetHelpDeskAsync() => Task.FromResult(Open(state.State.HelpDesk));

    public async Task<HelpDeskConnection> SetHelpDeskAsync(string kind, IReadOnlyDictionary<string, string> settings)
    {
        // The receiving secret survives a settings change so the address pasted into the desk keeps working.
        var secret = state.State.HelpDesk?.ReceivingSecret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var sealedSettings = settings.Where(kv => !catalog.IsGranted(kind, kv.Key))
            .ToDictionary(kv => kv.Key, kv => catalog.IsSecret(kind, kv.Key) ? secrets.Protect(kv.Value) : kv.Value);
        if (state.State.HelpDesk is { } previous && previous.Kind == kind && catalog.KeepsGrant(kind, previous.Settings, settings))
        {
            // A grant belongs to the OAuth client and its data centre: other changes (department, key) keep it.
            foreach (var (key, value) in previous.Settings.Where(kv => catalog.IsGranted(kind, kv.Key)))
            {
                sealedSettings[key] = value;
            }
        }

        var connection = new HelpDeskConnection(kind, sealedSettings, HelpDeskConnection.Unavailable,
            "not verified yet", null, secret);
        await MarkCreatedAsync();
        state.State.HelpDesk = connection;
        state.State.HelpDeskRevision++;
        await SaveAsync();
        return Open(connection)!;
    }

    public async Task<HelpDeskConnection?> SetHelpDeskStatusAsync(string status, string? detail, DateTimeOffset checkedAt)
    {
        if (state.State.HelpDesk is not { } current)
        {
            return null;
        }

        state.State.HelpDesk = current with { Status = status, StatusDetail = detail, CheckedAt = checkedAt };
        await SaveAsync();
        return Open(state.State.HelpDesk);
    }

    public async Task<bool> StoreHelpDeskGrantAsync(string kind, IReadOnlyDictionary<string, string> grant)
    {
        if (state.State.HelpDesk is not { } current || current.Kind != kind)
        {
            return false;
        }

        var settings = current.Settings.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, value) in grant.Where(kv => catalog.IsGranted(kind, kv.Key)))
        {
            settings[key] = secrets.Protect(value);
        }

        state.State.HelpDesk = current with { Settings = settings };
        state.State.HelpDeskRevision++;
        await SaveAsync();
        return true;
    }

    public async Task RemoveHelpDeskAsync()
    {
        if (state.State.HelpDesk is not null)
        {
            state.State.HelpDesk = null;
            state.State.HelpDeskRevision++;
            await SaveAsync();
        }
    }

    public Task<HelpDeskToVerify?> GetHelpDeskToVerifyAsync()
    {
        if (Open(state.State.HelpDesk) is not { } connection)
        {
            return Task.FromResult<HelpDeskToVerify?>(null);
        }

        var revision = state.State.HelpDeskRevision;
        if (connection.Settings.Count != state.State.HelpDesk!.Settings.Count)
        {
            return Task.FromResult<HelpDeskToVerify?>(new(revision, connection, HelpDeskConnection.Unavailable,
                "stored secrets cannot be decrypted with this node's key; set the same Handoff:SigningKey (or Handoff:AdminApiKey) on every node and store the settings again"));
        }

        if (catalog.AwaitsAuthorization(connection.Kind, connection.Settings))
        {
            return Task.FromResult<HelpDeskToVerify?>(new(revision, connection, HelpDeskConnection.NotConfigured,
                $"not authorised yet: press Authorise in the console (GET /api/agents/{AgentKeys.AgentIdOf(this.GetPrimaryKeyString())}/helpdesk/authorize)"));
        }

        return Task.FromResult<HelpDeskToVerify?>(new(revision, connection));
    }

    public async Task<HelpDeskConnection?> RecordHelpDeskStatusAsync(long revision, string status, string? detail, DateTimeOffset checkedAt)
    {
        // A verification that took a while must not stamp its result on the connection that replaced the one it checked.
        return revision == state.State.HelpDeskRevision
            ? await SetHelpDeskStatusAsync(status, detail, checkedAt)
            : Open(state.State.HelpDesk);
    }

    private async Task SaveAsync()
    {
        state.State.Version++;
        await state.WriteStateAsync();
        foreach (var conversation in listeners)
        {
            // One-way: a conversation learns of the change with its next message; the agent never waits for thousands.
            _ = GrainFactory.GetGrain<IConversationGrain>(conversation).AgentChangedAsync(state.State.Version);
        }

        listeners.Clear();
    }

    private async Task MarkCreatedAsync()
    {
        if (!state.State.Created)
        {
            state.State.Created = true;
            await GrainFactory.GetGrain<IAgentDirectoryGrain>(IAgentDirectoryGrain.Key).AddAsync(AgentKeys.AgentIdOf(this.GetPrimaryKeyString()));
        }
    }

    /// <summary>The connection with its secrets decrypted; a secret that cannot be decrypted is left out.</summary>
    private HelpDeskConnection? Open(HelpDeskConnection? stored)
    {
        if (stored is null)
        {
            return null;
        }

        var settings = new Dictionary<string, string>();
        foreach (var (key, value) in stored.Settings)
        {
            if (!catalog.IsSecret(stored.Kind, key))
            {
                settings[key] = value;
            }
            else if (secrets.Unprotect(value) is { } plain)
            {
                settings[key] = plain;
            }
        }

        return stored with { Settings = settings };
    }
}
