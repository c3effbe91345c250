using System.Collections.Immutable;

namespace Handoff.Desk;

/// <summary>What a store mutation did, so the protocol and console layers can pick their status codes.</summary>
public enum DeskChange
{
    Applied,
    /// <summary>Already done before (a retried establish, chat or close); nothing changed.</summary>
    Duplicate,
    NotFound,
    /// <summary>The conversation is closed, so the change was refused.</summary>
    Closed,
}

public sealed record DeskUserInfo(string? Email, string? UserId, string? AnonymousId, string? Phone);

/// <summary>One line of a conversation. <see cref="Delivered"/> only means something for human replies:
/// whatever reached the desk from the service is delivered by definition.</summary>
public sealed record DeskItem(
    int Seq,
    string From,
    string Text,
    DateTimeOffset At,
    string? MessageId,
    bool Delivered,
    bool History,
    string? SenderName = null,
    string? DeliveryError = null)
{
    public const string FromUser = "user";
    public const string FromBot = "bot";
    public const string FromHuman = "human";
}

public sealed record DeskConversation(
    string ConversationId,
    string? Email,
    string? BotId,
    DeskUserInfo? UserInfo,
    string State,
    string? ClosedBy,
    string? CloseType,
    DateTimeOffset OpenedAt,
    DateTimeOffset LastActivityAt,
    DateTimeOffset? ClosedAt,
    ImmutableList<DeskItem> Items)
{
    public const string StateOpen = "open";
    public const string StateClosed = "closed";
    public const string ClosedByService = "service";
    public const string ClosedByHuman = "human";

    /// <summary>In the queue: open and no human reply has reached the service yet.</summary>
    public bool Waiting => State == StateOpen && !Items.Any(i => i.From == DeskItem.FromHuman && i.Delivered);

    public int MessageCount => Items.Count;
}

/// <summary>
/// The desk's whole memory. Conversations are immutable records swapped under one lock, so readers get
/// consistent snapshots without copying and every change is a single atomic step.
/// </summary>
public sealed class DeskStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DeskConversation> _conversations = new(StringComparer.Ordinal);
    private readonly List<string> _openOrder = [];
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>All conversations, oldest established first.</summary>
    public IReadOnlyList<DeskConversation> Snapshot()
    {
        lock (_gate)
            return _openOrder.Select(id => _conversations[id]).ToArray();
    }

    public DeskConversation? Get(string conversationId)
    {
        lock (_gate)
            return _conversations.GetValueOrDefault(conversationId);
    }

    /// <summary>Opens a conversation with its history. Returns <see cref="DeskChange.Duplicate"/> when the id is
    /// already known: the service retries establish after a lost answer, and the first one wins.</summary>
    public DeskChange Open(string conversationId, string? email, string? botId, DeskUserInfo? userInfo,
        IEnumerable<(string From, string Text)> history, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_conversations.ContainsKey(conversationId))
                return DeskChange.Duplicate;

            var items = history.Select((h, i) => new DeskItem(i + 1, h.From, h.Text, at, null, true, History: true)).ToImmutableList();
            _conversations[conversationId] = new DeskConversation(conversationId, email, botId, userInfo,
                DeskConversation.StateOpen, null, null, at, at, null, items);
            _openOrder.Add(conversationId);
            Signal();
            return DeskChange.Applied;
        }
    }

    /// <summary>Adds a user message once per <paramref name="messageId"/>; a retried one is a duplicate even after close.</summary>
    public DeskChange AddUserMessage(string conversationId, string? messageId, string text, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_conversations.TryGetValue(conversationId, out var conversation))
                return DeskChange.NotFound;
            if (messageId is not null && conversation.Items.Any(i => i.From == DeskItem.FromUser && i.MessageId == messageId))
                return DeskChange.Duplicate;
            if (conversation.State != DeskConversation.StateOpen)
                return DeskChange.Closed;

            var item = new DeskItem(conversation.Items.Count + 1, DeskItem.FromUser, text, at, messageId, true, History: false);
            Replace(conversation with { Items = conversation.Items.Add(item), LastActivityAt = at });
            return DeskChange.Applied;
        }
    }

    /// <summary>Records a human reply before it is sent, so a failed delivery stays visible and can be retried
    /// under the same message id.</summary>
    public (DeskChange Change, DeskItem? Item) AddHumanReply(string conversationId, string text, string senderName, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_conversations.TryGetValue(conversationId, out var conversation))
                return (DeskChange.NotFound, null);
            if (conversation.State != DeskConversation.StateOpen)
                return (DeskChange.Closed, null);

            var item = new DeskItem(conversation.Items.Count + 1, DeskItem.FromHuman, text, at,
                Guid.NewGuid().ToString("N"), Delivered: false, History: false, SenderName: senderName);
            Replace(conversation with { Items = conversation.Items.Add(item), LastActivityAt = at });
            return (DeskChange.Applied, item);
        }
    }

    /// <summary>Notes the outcome of sending a human reply. Once delivered it stays delivered: a late failure
    /// from an overlapping retry must not undo a success the service already confirmed.</summary>
    public DeskItem? RecordDelivery(string conversationId, string messageId, bool delivered, string? error)
    {
        lock (_gate)
        {
            if (!_conversations.TryGetValue(conversationId, out var conversation))
                return null;
            var index = conversation.Items.FindIndex(i => i.From == DeskItem.FromHuman && i.MessageId == messageId);
            if (index < 0)
                return null;

            var current = conversation.Items[index];
            if (current.Delivered)
                return current;
            var updated = current with { Delivered = delivered, DeliveryError = delivered ? null : error };
            Replace(conversation with { Items = conversation.Items.SetItem(index, updated) });
            return updated;
        }
    }

    /// <summary>The service ended the hand-off (<c>TIMEOUT</c> or <c>USER_CLOSED</c>).</summary>
    public DeskChange CloseFromService(string conversationId, string type, DateTimeOffset at) =>
        Close(conversationId, DeskConversation.ClosedByService, type, at);

    /// <summary>The human ended it and the service accepted.</summary>
    public DeskChange CloseFromHuman(string conversationId, DateTimeOffset at) =>
        Close(conversationId, DeskConversation.ClosedByHuman, null, at);

    /// <summary>Waits until some conversation satisfies <paramref name="condition"/> and returns it; for tests and
    /// anything else that would otherwise poll.</summary>
    public async Task<DeskConversation> WaitForAsync(Func<DeskConversation, bool> condition, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                foreach (var id in _openOrder)
                    if (condition(_conversations[id]))
                        return _conversations[id];
                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No desk conversation met the condition within {timeout}. Desk holds: "
                    + string.Join("; ", Snapshot().Select(Describe)));
            }
        }
    }

    /// <summary>Waits until conversation <paramref name="conversationId"/> exists and satisfies <paramref name="condition"/>.</summary>
    public Task<DeskConversation> WaitForAsync(string conversationId, Func<DeskConversation, bool> condition, TimeSpan timeout,
        CancellationToken cancellationToken = default) =>
        WaitForAsync(c => c.ConversationId == conversationId && condition(c), timeout, cancellationToken);

    private DeskChange Close(string conversationId, string closedBy, string? type, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_conversations.TryGetValue(conversationId, out var conversation))
                return DeskChange.NotFound;
            if (conversation.State != DeskConversation.StateOpen)
                return DeskChange.Duplicate;

            Replace(conversation with
            {
                State = DeskConversation.StateClosed,
                ClosedBy = closedBy,
                CloseType = type,
                ClosedAt = at,
                LastActivityAt = at,
            });
            return DeskChange.Applied;
        }
    }

    private void Replace(DeskConversation conversation)
    {
        _conversations[conversation.ConversationId] = conversation;
        Signal();
    }

    private void Signal()
    {
        // Waiters re-check under the lock once woken, so swap-and-complete is enough; their continuations run
        // asynchronously, so none of them runs while this thread holds the lock.
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string Describe(DeskConversation c) =>
        $"{c.ConversationId} {c.State} items=[{string.Join(", ", c.Items.Select(i => $"{i.From}:{i.Text}"))}]";
}
