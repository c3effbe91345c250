using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Contracts.HelpDesks;
using Handoff.Contracts.Realtime;
using Handoff.Core.Conversations;
using Handoff.Core.Handoffs;
using Handoff.Grains.Bots;
using Handoff.Grains.Transcripts;
using Handoff.HelpDesks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using ChatMessage = Handoff.Contracts.Conversations.ChatMessage;

namespace Handoff.Grains.Conversations;

/// <summary>
/// One chat conversation. It turns what happens (a user's message, a human's reply, a timeout) into events for the
/// hand-off rules (<see cref="HandoffMachine"/>), saves the state they answer, and carries out their effects through
/// its parts: <see cref="ConversationTranscript"/>, <see cref="ChatPushSubscribers"/>, <see cref="DurableDeadline"/>,
/// <see cref="DeskOutbox"/>, <see cref="BotTurns"/>, <see cref="DeskMessenger"/> and <see cref="QuietDeskReadBack"/>.
/// </summary>
[GrainType("conversation")]
public sealed partial class ConversationGrain : Grain, IConversationGrain, IConversationBotTurns, IRemindable
{
    private const int MaxTextLength = ConversationLimits.MaxTextLength;
    private const int MaxResume = 100_000;
    private const string SnoozedText = "Our team has paused this conversation for a moment and will be back with you here.";

    private readonly IPersistentState<ConversationState> state;
    private readonly TimeProvider time;
    private readonly ILogger<ConversationGrain> logger;
    private readonly ConversationTranscript transcript;
    private readonly ChatPushSubscribers subscribers;
    private readonly AgentSnapshotCache agent;
    private readonly DurableDeadline deadline;
    private readonly DeskOutbox outbox;
    private readonly BotTurns bot;
    private readonly DeskMessenger messenger;
    private readonly QuietDeskReadBack readBack;
    private readonly ChannelPolicy channelPolicy;

    public ConversationGrain(
        [PersistentState(stateName: "conversation", storageName: GrainStorage.Name)] IPersistentState<ConversationState> state,
        ITranscriptStore transcriptStore,
        BotChatClients bots,
        HelpDeskCatalog helpDesks,
        IOptions<ReminderOptions> reminderOptions,
        IOptions<ConversationOptions> conversationOptions,
        TimeProvider time,
        ILogger<ConversationGrain> logger)
    {
        this.state = state;
        this.time = time;
        this.logger = logger;
        channelPolicy = new ChannelPolicy(helpDesks);
        var id = this.GetPrimaryKeyString();
        transcript = new ConversationTranscript(id, transcriptStore, time);
        subscribers = new ChatPushSubscribers(id, GrainFactory, logger);
        agent = new AgentSnapshotCache(id, () => GrainFactory.GetGrain<IAgentGrain>(AgentKeys.For(S.AgentId)), time);
        deadline = new DurableDeadline(this, OnDeadlineAsync, reminderOptions.Value, time);
        outbox = new DeskOutbox(this, GrainFactory, state, ConnectionAsync, KeepBackstopAsync, logger);
        bot = new BotTurns(this, bots, agent, transcript, () => S.EndReasonForBot, logger);
        messenger = new DeskMessenger(GrainFactory, state, outbox, channelPolicy.AnswersInsideWebhook);
        readBack = new QuietDeskReadBack(this, GrainFactory, state, ConnectionAsync, e => ReceiveHumanEventAsync(e),
            conversationOptions.Value.ReconcileQuietPeriod, time, logger);
    }

    private ConversationState S => state.State;
    private string Id => this.GetPrimaryKeyString();
    private DateTimeOffset Now => time.GetUtcNow();
    private HandoffState Machine => S.ToMachine();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!S.Created)
        {
            return;
        }

        await transcript.LoadAsync(cancellationToken);
        await deadline.LoadAsync();
        deadline.Follow(S.Deadline);
        outbox.Kick();
        readBack.Follow();
        if (Machine.Active is { Stage: HandoffStage.Opening } opening)
        {
            // The node that decided to open the desk conversation died before it knew the answer: ask again, same id.
            this.RegisterGrainTimer(() => OpenDeskAsync(opening.HandoffId), new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan });
        }
    }

    public async Task CreateAsync(string agentId, string channel, string? email, string? userId)
    {
        if (S.Created)
        {
            throw new ConversationRefusedException(ConversationRefusedException.Invalid, "the conversation exists already");
        }

        S.Created = true;
        S.AgentId = agentId;
        S.Channel = channel;
        S.Email = email;
        S.UserId = userId;
        S.CreatedAt = Now;
        await state.WriteStateAsync();
    }

    public async Task CreateInDeskAsync(string agentId, string kind, string deskConversationId)
    {
        if (!S.Created)
        {
            await CreateAsync(agentId, kind, null, null);
            S.DeskConversationId = deskConversationId;
            await state.WriteStateAsync();
        }
    }

    public Task<ConversationView> GetAsync(int lastMessages)
    {
        EnsureCreated();
        var h = S.Handoff?.ToAttempt();
        var view = new ConversationView(Id, S.AgentId, S.Channel, HandoffNames.Of(Machine.ChatState), S.Email, transcript.LastSeq,
            h is null ? null : new HandoffView(h.HandoffId, HandoffNames.Of(h.Stage), h.RequestedAt, h.OpenedAt, h.FirstHumanReplyAt, h.EndedAt,
                h.EndReason is { } r ? HandoffNames.Of(r) : null),
            transcript.Last(lastMessages));
        return Task.FromResult(view);
    }

    public Task<IReadOnlyList<ChatMessage>> ResumeAsync(long afterSeq)
    {
        EnsureCreated();
        return transcript.AfterAsync(afterSeq, MaxResume);
    }

    public Task<SendResult> SendUserMessageAsync(string text, string? clientMessageId)
    {
        EnsureCreated();
        return AcceptUserMessageAsync(text, clientMessageId is { Length: > 0 } c ? "u:" + c : null);
    }

    public async Task<SendResult> ReceiveDeskUserMessageAsync(string text, string externalId, string? email)
    {
        EnsureCreated();
        if (S.Email is null && EmailAddress.TryNormalize(email ?? "", out var known))
        {
            // The desk knows its user's e-mail: it is not asked for then.
            S.Email = known;
            await state.WriteStateAsync();
        }

        return await AcceptUserMessageAsync(text, "d:" + externalId);
    }

    public Task WaitForBotAsync(long seq) => bot.WhenAnsweredAsync(seq);

    public async Task<DeskAnswer> TakeDeskAnswerAsync()
    {
        EnsureCreated();
        return await messenger.TakeAnswerAsync();
    }

    /// <summary>A user's message, from our channels or a desk's messenger: stored once (and acknowledged), then the rules.</summary>
    private async Task<SendResult> AcceptUserMessageAsync(string text, string? dedupeKey)
    {
        var (message, duplicate) = await AppendAsync(ChatMessage.User, CheckText(text), null, dedupeKey);
        if (!duplicate)
        {
            await ApplyAsync(new UserWrote(message.Seq, message.Id, message.Text));
        }

        return new SendResult(message.Seq, duplicate);
    }

    public async Task<SendResult> AddBotMessageAsync(string text, string? clientMessageId)
    {
        EnsureCreated();
        var (message, duplicate) = await AppendAsync(ChatMessage.Bot, CheckText(text), null, clientMessageId is { Length: > 0 } c ? "b:" + c : null);
        return new SendResult(message.Seq, duplicate);
    }

    public async Task SetEmailAsync(string email)
    {
        EnsureCreated();
        if (!EmailAddress.TryNormalize(email, out var address))
        {
            throw new ConversationRefusedException(ConversationRefusedException.Invalid, "that is not a valid e-mail address");
        }

        await ApplyAsync(new EmailGiven(address));
    }

    public async Task<HandoffOutcome> RequestHandoffAsync(string? reason)
    {
        EnsureCreated();
        var question = transcript.Recent.LastOrDefault(m => m.From == ChatMessage.User);
        return await RequestAsync(reason, question?.Seq);
    }

    public async Task<string?> TakeBotAnswerAsync(BotAnswer answer)
    {
        if (answer.AsksForHuman)
        {
            return (await RequestAsync(answer.Reason, answer.ForSeq)).Outcome;
        }

        if (answer.Failed)
        {
            // The model never read the note about the human: it stays for the next turn.
            await SayAsync((await agent.SettingsAsync()).Texts.BotUnavailable);
        }
        else
        {
            await ApplyAsync(new BotInformed());
            if (answer.Text is { } text)
            {
                await AppendAsync(ChatMessage.Bot, text, null, null);
            }
        }

        return null;
    }

    public Task KeepWaitingAsync()
    {
        EnsureCreated();
        return ApplyAsync(new KeepWaitingChosen());
    }

    public Task EndHandoffByUserAsync()
    {
        EnsureCreated();
        return ApplyAsync(new UserEndedHandoff());
    }

    public async Task<bool> ReceiveHumanEventAsync(HumanEvent humanEvent)
    {
        EnsureCreated();
        var handoff = S.Handoff?.ToAttempt();
        if (handoff is null || (handoff.HandoffId == humanEvent.HandoffId && handoff.Stage == HandoffStage.AwaitingEmail))
        {
            throw new ConversationRefusedException(ConversationRefusedException.NotFound, "no such hand-off");
        }

        if (handoff.HandoffId != humanEvent.HandoffId)
        {
            // Only this conversation's links lead here: an id that is not the current hand-off is an earlier, ended one.
            throw new ConversationRefusedException(ConversationRefusedException.Ended, "that hand-off has ended");
        }

        var dedupeKey = humanEvent.ExternalId is { Length: > 0 } id ? $"h:{handoff.HandoffId}:{id}" : null;
        var stored = dedupeKey is not null && humanEvent.Kind is HumanEvent.Message or HumanEvent.Snoozed && await transcript.IsStoredAsync(dedupeKey);
        if (stored && !(humanEvent.Kind == HumanEvent.Message && handoff.Stage is HandoffStage.Opening or HandoffStage.WaitingForHuman or HandoffStage.WaitTimeoutPrompt))
        {
            return false;
        }

        if (!handoff.IsActive)
        {
            throw new ConversationRefusedException(ConversationRefusedException.Ended, "the hand-off has ended");
        }

        switch (humanEvent.Kind)
        {
            case HumanEvent.Closed:
                await ApplyAsync(new HumanClosed());
                return true;
            case HumanEvent.Missed:
                await ApplyAsync(new DeskMissed());
                return true;
            case HumanEvent.Read:
                // The desks that report reads (Intercom) report the contact's own read: nothing to show.
                return true;
            case HumanEvent.Snoozed:
                return !(await AppendAsync(ChatMessage.System, SnoozedText, null, dedupeKey, dedupeKey is null ? null : ConversationTranscript.StableId(dedupeKey))).Duplicate;
        }

        var text = CheckText(humanEvent.Text ?? "");
        if (messenger.IsOwnEcho(text))
        {
            return false;
        }

        readBack.Heard();
        // The state moves first, so the user reads that a person joined before the person's words; a crash in
        // between is mended by the desk's retry, which finds the message not stored yet.
        await ApplyAsync(new HumanWrote());
        if (!stored)
        {
            await AppendAsync(ChatMessage.Human, text, humanEvent.SenderName, dedupeKey, dedupeKey is null ? null : ConversationTranscript.StableId(dedupeKey));
        }

        return !stored;
    }

    public Task SubscribeAsync(IChatPushObserver observer)
    {
        subscribers.Subscribe(observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IChatPushObserver observer)
    {
        subscribers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task AgentChangedAsync(long version)
    {
        agent.Invalidate(version);
        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!S.Created)
        {
            return;
        }

        if (Machine.Active is { Stage: HandoffStage.Opening } opening)
        {
            // The opening was decided and saved, but the desk was not (surely) asked: ask again, with the same hand-off id.
            await OpenDeskAsync(opening.HandoffId);
        }

        if (S.Deadline is { } due && due <= Now)
        {
            await OnDeadlineAsync();
        }
        else if (S.Deadline is not null && !deadline.Armed)
        {
            deadline.Follow(S.Deadline);
        }

        outbox.Kick();
        await KeepBackstopAsync();
    }

    private void EnsureCreated()
    {
        if (!S.Created)
        {
            throw new ConversationRefusedException(ConversationRefusedException.NotFound, "no such conversation");
        }
    }

    private static string CheckText(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed.Length > MaxTextLength)
        {
            throw new ConversationRefusedException(ConversationRefusedException.Invalid, $"text must be 1 to {MaxTextLength} characters");
        }

        return trimmed;
    }
}
