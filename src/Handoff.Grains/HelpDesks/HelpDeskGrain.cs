using System.Security.Cryptography;
using System.Text;
using Handoff.Contracts.Agents;
using Handoff.Contracts.HelpDesks;
using Handoff.HelpDesks;
using Orleans.Concurrency;

namespace Handoff.Grains.HelpDesks;

/// <summary>
/// Makes an agent's help-desk calls with the client of its kind, keeps that client's session, and verifies the
/// agent's connection (so the agent grain, which every conversation reads, never waits for a desk).
/// </summary>
[Reentrant, GrainType("helpdesk")]
public sealed class HelpDeskGrain(IEnumerable<IHelpDeskClient> clients, HelpDeskCatalog catalog, TimeProvider time) : Grain, IHelpDeskGrain
{
    private readonly Dictionary<string, IHelpDeskClient> byKind = clients.ToDictionary(c => c.Kind);
    private HelpDeskSession session = new();
    private string? sessionSettings;
    private Task<HelpDeskConnection?>? recheck;

    private IAgentGrain Agent => GrainFactory.GetGrain<IAgentGrain>(this.GetPrimaryKeyString());

    public async Task<HelpDeskConnection?> VerifyConnectionAsync()
    {
        if (await Agent.GetHelpDeskToVerifyAsync() is not { } toVerify)
        {
            return null;
        }

        var (status, detail) = toVerify.Status is { } known
            ? (known, toVerify.Detail)
            : await VerifyAsync(toVerify.Connection) is var check && check.Available
                ? (HelpDeskConnection.Available, check.Detail)
                : (HelpDeskConnection.Unavailable, check.Detail);
        return await Agent.RecordHelpDeskStatusAsync(toVerify.Revision, status, detail, time.GetUtcNow());
    }

    public async Task<HelpDeskConnection?> ConnectionForHandoffAsync(TimeSpan recheckUnavailableAfter)
    {
        var connection = (await Agent.GetSnapshotAsync(null)).HelpDesk;
        if (connection is { Status: HelpDeskConnection.Unavailable } &&
            (connection.CheckedAt is null || time.GetUtcNow() - connection.CheckedAt >= recheckUnavailableAfter))
        {
            // Many conversations may ask at once: one verification answers them all.
            if (recheck is not { IsCompleted: false })
            {
                recheck = VerifyConnectionAsync();
            }

            return await recheck;
        }

        return connection;
    }

    private async Task<HelpDeskCheck> VerifyAsync(HelpDeskConnection connection)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var (available, detail) = await Client(connection).VerifyAsync(connection.Settings, Session(connection), limit.Token);
            return new HelpDeskCheck(available, detail);
        }
        catch (OperationCanceledException)
        {
            return new HelpDeskCheck(false, "the help-desk did not answer within 10 s");
        }
        catch (HelpDeskCallException ex)
        {
            return new HelpDeskCheck(false, ex.Message);
        }
        catch (HelpDeskFailedException ex)
        {
            return new HelpDeskCheck(false, ex.Message);
        }
    }

    public Task<DeskConversation> OpenAsync(HelpDeskConnection connection, HelpDeskOpeningRequest opening) => Call(connection, async (client, ct) =>
    {
        var opened = await client.OpenAsync(connection.Settings, Session(connection),
            new HelpDeskOpening(opening.AgentId, opening.ConversationId, opening.HandoffId, opening.Email, opening.UserId,
                opening.Body.Select(b => (b.IsUser, b.Text)).ToList()), ct);
        return new DeskConversation(opened.ConversationId, opened.UserId, catalog.Has(connection.Kind, HelpDeskCapabilities.MayLoseWebhooks));
    });

    public Task SendUserMessageAsync(HelpDeskConnection connection, string deskConversationId, string messageId, string text) => Call(connection, async (client, ct) =>
    {
        await client.SendUserMessageAsync(connection.Settings, Session(connection), deskConversationId, messageId, text, ct);
        return true;
    });

    public Task<IReadOnlyList<MissedHumanMessage>> ReadHumanMessagesAsync(HelpDeskConnection connection, string deskConversationId) => Call(connection, async (client, ct) =>
    {
        var events = await client.ReadHumanMessagesAsync(connection.Settings, Session(connection), deskConversationId, ct);
        return (IReadOnlyList<MissedHumanMessage>)events.Where(e => e.Kind == HelpDeskEventKind.HumanMessage && e.Text is { Length: > 0 })
            .Select(e => new MissedHumanMessage(e.Text!, e.SenderName, e.DedupeKey)).ToList();
    });

    public Task CloseAsync(HelpDeskConnection connection, string deskConversationId, string closeType) => Call(connection, async (client, ct) =>
    {
        await client.CloseAsync(connection.Settings, Session(connection), deskConversationId, closeType, ct);
        return true;
    });

    public Task<HelpDeskCheck> AuthorizeAsync(HelpDeskConnection connection, string code, string redirectUri, string receivingAddress) => Call(connection, async (client, ct) =>
    {
        if (client is not IHelpDeskAuthorization authorization)
        {
            return new HelpDeskCheck(false, $"help-desk kind '{connection.Kind}' is not authorised through a consent page");
        }

        IReadOnlyDictionary<string, string> grant;
        try
        {
            grant = await authorization.ExchangeCodeAsync(connection.Settings, Session(connection), code, redirectUri, ct);
        }
        catch (HelpDeskCallException ex)
        {
            return new HelpDeskCheck(false, ex.Message);
        }

        var learned = Session(connection);
        if (!await GrainFactory.GetGrain<IAgentGrain>(this.GetPrimaryKeyString()).StoreHelpDeskGrantAsync(connection.Kind, grant))
        {
            return new HelpDeskCheck(false, "the help-desk connection changed while the consent page was open; authorise again");
        }

        // The fresh access token from the exchange stays usable under the settings that now hold the grant.
        var granted = connection with { Settings = connection.Settings.Concat(grant).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value) };
        var session = Session(granted);
        foreach (var (key, value) in learned.Facts)
        {
            session.Facts.TryAdd(key, value);
        }

        var registered = await RegisterWebhookAsync(granted, receivingAddress);
        return registered.Available ? new HelpDeskCheck(true, "authorised; " + registered.Detail) : new HelpDeskCheck(false, "authorised, but " + registered.Detail);
    });

    public Task<HelpDeskCheck> RegisterWebhookAsync(HelpDeskConnection connection, string receivingAddress) => Call(connection, async (client, ct) =>
    {
        if (client is not IHelpDeskAuthorization authorization)
        {
            return new HelpDeskCheck(false, $"help-desk kind '{connection.Kind}' takes its webhook address by hand");
        }

        try
        {
            await authorization.RegisterWebhookAsync(connection.Settings, Session(connection), receivingAddress, ct);
            return new HelpDeskCheck(true, "webhook registered at the receiving address");
        }
        catch (HelpDeskCallException ex)
        {
            return new HelpDeskCheck(false, "the webhook could not be registered: " + ex.Message);
        }
    });

    public Task<string?> BotIdentityAsync(HelpDeskConnection connection) =>
        Call(connection, (client, ct) => client is IHelpDeskMessenger messenger ? messenger.BotIdentityAsync(connection.Settings, Session(connection), ct) : Task.FromResult<string?>(null));

    public Task SendBotMessageAsync(HelpDeskConnection connection, string deskConversationId, string messageId, string text) => Call(connection, async (client, ct) =>
    {
        await Messenger(client).SendBotMessageAsync(connection.Settings, Session(connection), deskConversationId, messageId, text, ct);
        return true;
    });

    public Task HandOverAsync(HelpDeskConnection connection, string deskConversationId) => Call(connection, async (client, ct) =>
    {
        await Messenger(client).HandOverAsync(connection.Settings, Session(connection), deskConversationId, ct);
        return true;
    });

    public Task CloseAsBotAsync(HelpDeskConnection connection, string deskConversationId, string closeType) => Call(connection, async (client, ct) =>
    {
        await Messenger(client).CloseAsBotAsync(connection.Settings, Session(connection), deskConversationId, closeType, ct);
        return true;
    });

    public Task<HelpDeskCheck?> PrepareMessengerAsync(HelpDeskConnection connection, string receivingAddress) => Call(connection, async (client, ct) =>
    {
        if (client is not IHelpDeskMessengerSetup setup)
        {
            return null;
        }

        try
        {
            var (available, detail) = await setup.PrepareMessengerAsync(connection.Settings, Session(connection), receivingAddress, ct);
            return new HelpDeskCheck(available, detail);
        }
        catch (HelpDeskCallException ex)
        {
            return (HelpDeskCheck?)new HelpDeskCheck(false, "help-desk → help-desk mode could not be set up: " + ex.Message);
        }
    });

    private static IHelpDeskMessenger Messenger(IHelpDeskClient client) => client as IHelpDeskMessenger
        ?? throw new HelpDeskFailedException($"help-desk kind '{client.Kind}' has no help-desk → help-desk mode yet", null);

    public Task<IReadOnlyList<HelpDeskDepartment>> ListDepartmentsAsync(HelpDeskConnection connection) => Call(connection, async (client, ct) =>
        client is IHelpDeskDepartments departments
            ? (IReadOnlyList<HelpDeskDepartment>)(await departments.ListDepartmentsAsync(connection.Settings, Session(connection), ct)).Select(d => new HelpDeskDepartment(d.Id, d.Name)).ToList()
            : throw new HelpDeskFailedException($"help-desk kind '{connection.Kind}' has no departments to pick", null));

    private async Task<T> Call<T>(HelpDeskConnection connection, Func<IHelpDeskClient, CancellationToken, Task<T>> call)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            return await call(Client(connection), limit.Token);
        }
        catch (HelpDeskCallException ex)
        {
            throw new HelpDeskFailedException(ex.Message, ex.StatusCode);
        }
        catch (OperationCanceledException)
        {
            throw new HelpDeskFailedException("the help-desk did not answer in time", null);
        }
    }

    private IHelpDeskClient Client(HelpDeskConnection connection) => byKind.TryGetValue(connection.Kind, out var client)
        ? client
        : throw new HelpDeskFailedException($"help-desk kind '{connection.Kind}' is not registered", null);

    /// <summary>What the client learned stays valid while the settings are the same; new settings start afresh.</summary>
    private HelpDeskSession Session(HelpDeskConnection connection)
    {
        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            connection.Kind + "\n" + string.Join("\n", connection.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)))));
        if (fingerprint != sessionSettings)
        {
            session = new HelpDeskSession();
            sessionSettings = fingerprint;
        }

        return session;
    }
}
