using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;
using AiMessage = Microsoft.Extensions.AI.ChatMessage;
using ChatMessage = Handoff.Contracts.Conversations.ChatMessage;
using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Contracts.Realtime;
using Handoff.Core.Conversations;
using Handoff.Core.Scheduling;
using Handoff.Grains.Agents;
using Handoff.Grains.Bots;
using Handoff.Contracts.HelpDesks;
using Handoff.Grains.Transcripts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;

namespace Handoff.Grains.Conversations;

/// <summary>
/// One chat conversation: numbers and stores its messages, runs the hand-off state machine, owns the wait and
/// session timeouts (persisted deadline, grain timer, reminder backstop) and the ordered outbox to the help-desk,
/// and pushes every change to the web nodes that hold the conversation's connections.
/// </summary>
[GrainType("conversation")]
public sealed partial class ConversationGrain(
    [PersistentState(stateName: "conversation", storageName: GrainStorage.Name)] IPersistentState<ConversationState> state,
    ITranscriptStore transcript,
    BotChatClients bots,
    IOptions<ReminderOptions> reminderOptions,
    IOptions<ConversationOptions> conversationOptions,
    TimeProvider time,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain, IRemindable
{
    public const int JoinWindow = 500;
    public const int MaxTextLength = 4000;
    private const string BackstopReminder = "handoff-backstop";
    private const int BotContextMessages = 20;
    private const string SnoozedText = "Our team has paused this conversation for a moment and will be back with you here.";
    private static readonly TimeSpan ObserverLifetime = TimeSpan.FromMinutes(5);
    private static readonly HashSet<string> HelpDeskChannels = ["intercom", "livechat", "zoho-salesiq", "livedesk", "sobot"];


    private readonly List<ChatMessage> recent = [];
    private readonly Dictionary<IChatPushObserver, DateTimeOffset> observers = new();
    private long lastSeq;
    private IGrainTimer? deadlineTimer;
    private IGrainTimer? outboxTimer;
    private IGrainTimer? reconcileTimer;
    private DateTimeOffset lastWordFromDesk;
    private bool backstopRegistered;
    private DateTimeOffset? backstopFirstTick;

    private ConversationState S => state.State;
    private string Id => this.GetPrimaryKeyString();
    private HandoffRecord? Active => S.Handoff is { State: not ConversationStates.Ended } h ? h : null;
    private DateTimeOffset Now => time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!S.Created)
        {
            return;
        }

        lastSeq = await transcript.GetLastSeqAsync(Id, cancellationToken);
        recent.AddRange(await transcript.ReadLastAsync(Id, JoinWindow, cancellationToken));
        backstopRegistered = await this.GetReminder(BackstopReminder) is not null;
        if (S.Deadline is not null)
        {
            ArmDeadlineTimer();
        }

        if (S.Outbox.Count > 0)
        {
            ScheduleOutbox(TimeSpan.Zero);
        }

        ArmReconcile();
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

    public Task<ConversationView> GetAsync(int lastMessages)
    {
        EnsureCreated();
        var h = S.Handoff;
        var view = new ConversationView(Id, S.AgentId, S.Channel, CurrentState, S.Email, lastSeq,
            h is null ? null : new HandoffView(h.HandoffId, h.State, h.RequestedAt, h.OpenedAt, h.FirstHumanReplyAt, h.EndedAt, h.EndReason),
            recent.Skip(Math.Max(0, recent.Count - Math.Clamp(lastMessages, 0, JoinWindow))).ToList());
        return Task.FromResult(view);
    }

    public async Task<IReadOnlyList<ChatMessage>> ResumeAsync(long afterSeq)
    {
        EnsureCreated();
        if (afterSeq >= lastSeq)
        {
            return [];
        }

        if (recent.Count > 0 && recent[0].Seq <= afterSeq + 1)
        {
            return recent.Where(m => m.Seq > afterSeq).ToList();
        }

        return await transcript.ReadAfterAsync(Id, Math.Max(0, afterSeq), 100_000);
    }

    public Task<SendResult> SendUserMessageAsync(string text, string? clientMessageId)
    {
        EnsureCreated();
        return AcceptUserMessageAsync(text, clientMessageId is { Length: > 0 } c ? "u:" + c : null);
    }

    /// <summary>
    /// A user's message, from our channels or from a desk's messenger: stored once, then the bot's turn, the e-mail
    /// answer, or on to the human. Inside a desk the human has it already and the wait-timeout prompt is answered in words.
    /// </summary>
    private async Task<SendResult> AcceptUserMessageAsync(string text, string? dedupeKey)
    {
        var (message, duplicate) = await AppendAsync(ChatMessage.User, CheckText(text), null, dedupeKey);
        if (duplicate)
        {
            return new SendResult(message.Seq, true);
        }

        switch (Active?.State)
        {
            case null:
                await BotTurnAsync(message);
                break;
            case ConversationStates.AwaitingEmail:
                await TakeEmailAnswerAsync(message);
                break;
            case ConversationStates.WaitTimeoutPrompt when S.DeskConversationId is not null:
                if (EndWords().IsMatch(message.Text)) await EndHandoffByUserAsync();
                else await KeepWaitingAsync();
                break;
            default:
                var handoff = Active!;
                if (S.DeskConversationId is null)
                {
                    S.Outbox.Add(new OutboxItem { Kind = OutboxItem.Chat, HandoffId = handoff.HandoffId, DeskConversationId = handoff.DeskConversationId, MessageId = message.Id, Text = message.Text });
                    ScheduleOutbox(TimeSpan.Zero);
                }

                if (handoff.State == ConversationStates.WithHuman)
                {
                    // The session timeout counts from the human's last message while the user has not answered.
                    S.Deadline = null;
                    DisposeDeadlineTimer();
                }

                await state.WriteStateAsync();
                await UpdateBackstopAsync();
                break;
        }

        return new SendResult(message.Seq, false);
    }

    /// <summary>The user's answer to the e-mail question: an address opens the hand-off, anything else is asked again.</summary>
    private async Task TakeEmailAnswerAsync(ChatMessage message)
    {
        if (EmailAddress.TryNormalize(message.Text, out var email))
        {
            S.Email = email;
            await OpenAsync();
        }
        else
        {
            await SystemAsync(t => t.InvalidEmail);
        }
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

        S.Email = address;
        if (Active?.State == ConversationStates.AwaitingEmail)
        {
            await OpenAsync();
        }
        else
        {
            await state.WriteStateAsync();
        }
    }

    public async Task<HandoffOutcome> RequestHandoffAsync(string? reason)
    {
        EnsureCreated();
        if (Active is { } active)
        {
            var outcome = active.State == ConversationStates.AwaitingEmail ? "awaiting-email" : "waiting-for-human";
            return new HandoffOutcome(outcome, active.HandoffId);
        }

        var question = recent.LastOrDefault(m => m.From == ChatMessage.User);
        return await StartHandoffAsync(reason, question?.Seq);
    }

    public async Task KeepWaitingAsync()
    {
        EnsureCreated();
        if (Active is { State: ConversationStates.WaitTimeoutPrompt } handoff)
        {
            var settings = await SettingsAsync();
            handoff.State = ConversationStates.WaitingForHuman;
            S.Deadline = Now.AddSeconds(settings.WaitTimeoutSeconds);
            await state.WriteStateAsync();
            ArmDeadlineTimer();
            PushState(ConversationStates.WaitingForHuman, null);
        }
    }

    public async Task EndHandoffByUserAsync()
    {
        EnsureCreated();
        if (Active is { } handoff)
        {
            await EndAsync(EndReasons.UserEnded, handoff.State == ConversationStates.AwaitingEmail ? null : "USER_CLOSED");
        }
    }

    public async Task<bool> ReceiveHumanEventAsync(HumanEvent humanEvent)
    {
        EnsureCreated();
        if (S.Handoff is not { } handoff || (handoff.HandoffId == humanEvent.HandoffId && handoff.State == ConversationStates.AwaitingEmail))
        {
            throw new ConversationRefusedException(ConversationRefusedException.NotFound, "no such hand-off");
        }

        if (handoff.HandoffId != humanEvent.HandoffId)
        {
            // Only this conversation's links lead here: an id that is not the current hand-off is an earlier, ended one.
            throw new ConversationRefusedException(ConversationRefusedException.Ended, "that hand-off has ended");
        }

        var dedupeKey = humanEvent.ExternalId is { Length: > 0 } id ? $"h:{handoff.HandoffId}:{id}" : null;
        if (dedupeKey is not null && humanEvent.Kind is HumanEvent.Message or HumanEvent.Snoozed && await IsStoredAsync(dedupeKey))
        {
            return false;
        }

        if (handoff.State == ConversationStates.Ended)
        {
            throw new ConversationRefusedException(ConversationRefusedException.Ended, "the hand-off has ended");
        }

        if (humanEvent.Kind == HumanEvent.Closed)
        {
            await EndAsync(EndReasons.HumanEnded, null);
            return true;
        }

        if (humanEvent.Kind == HumanEvent.Missed)
        {
            // The desk's own wait ran out with nobody taking it: the same end as ours, and the desk has closed it already.
            await EndAsync(EndReasons.WaitTimeout, null, t => t.Unavailable);
            return true;
        }

        if (humanEvent.Kind == HumanEvent.Read)
        {
            // The desks that report reads (Intercom) report the contact's own read: nothing to show.
            return true;
        }

        if (humanEvent.Kind == HumanEvent.Snoozed)
        {
            var (_, duplicate) = await AppendAsync(ChatMessage.System, SnoozedText, null, dedupeKey, dedupeKey is null ? null : HumanMessageId(dedupeKey));
            return !duplicate;
        }

        var text = CheckText(humanEvent.Text ?? "");
        if (InAnswerOnlyDesk && S.RecentDeskAnswers.Contains(text))
        {
            // SalesIQ may report the Zobot's own replies as an operator's ([?]): never let them count as the human's.
            return false;
        }

        var settings = await SettingsAsync();
        lastWordFromDesk = Now;
        var joined = handoff.State != ConversationStates.WithHuman;
        if (joined)
        {
            handoff.State = ConversationStates.WithHuman;
            handoff.FirstHumanReplyAt = Now;
        }

        await AppendAsync(ChatMessage.Human, text, humanEvent.SenderName, dedupeKey, dedupeKey is null ? null : HumanMessageId(dedupeKey));
        S.Deadline = Now.AddSeconds(settings.SessionTimeoutSeconds);
        await state.WriteStateAsync();
        ArmDeadlineTimer();
        await UpdateBackstopAsync();
        if (joined)
        {
            PushState(ConversationStates.WithHuman, null);
        }

        return true;
    }

    public Task SubscribeAsync(IChatPushObserver observer)
    {
        observers[observer] = Now;
        return Task.CompletedTask;
    }

    public Task AgentChangedAsync(long version) => Task.CompletedTask;

    public Task UnsubscribeAsync(IChatPushObserver observer)
    {
        observers.Remove(observer);
        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!S.Created)
        {
            return;
        }

        if (S.Deadline is { } deadline && deadline <= Now)
        {
            await OnDeadlineAsync();
        }
        else if (S.Deadline is not null && deadlineTimer is null)
        {
            ArmDeadlineTimer();
        }

        if (S.Outbox.Count > 0 && outboxTimer is null)
        {
            ScheduleOutbox(TimeSpan.Zero);
        }

        await UpdateBackstopAsync();
    }

    // ----- the hand-off state machine -----

    /// <summary>
    /// One bot turn for a user message in state <c>bot</c>: the model sees the system prompt, a note when a human
    /// handled part of the conversation, and the recent dialogue; it may call the hand-off tool.
    /// </summary>
    private async Task BotTurnAsync(ChatMessage userMessage)
    {
        var agent = GrainFactory.GetGrain<IAgentGrain>(AgentKeys.For(S.AgentId));
        var settings = await agent.GetHandoffSettingsAsync();
        var botSettings = await agent.GetBotSettingsAsync() ?? BotSettings.Default;
        var client = bots.For(botSettings);
        var context = ModelContext(botSettings);
        var options = new ChatOptions();
        if (settings is { Enabled: true })
        {
            options.Tools = [HandoffTool.Declaration(settings.TriggerDescription)];
            options.ToolMode = ChatToolMode.Auto;
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(botSettings.TimeoutSeconds));
        ChatResponse response;
        try
        {
            response = await client.GetResponseAsync(context, options, limit.Token);
        }
        catch (Exception ex) when (ex is not ConversationRefusedException)
        {
            await BotFailedAsync(ex);
            return;
        }

        if (S.EndReasonForBot is not null)
        {
            S.EndReasonForBot = null;
            await state.WriteStateAsync();
        }

        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().FirstOrDefault(c => c.Name == HandoffTool.Name);
        if (call is null)
        {
            if (response.Text is { Length: > 0 } reply)
            {
                await AppendAsync(ChatMessage.Bot, reply.Trim(), null, null);
            }
            else
            {
                await BotFailedAsync(new InvalidOperationException("the model answered with neither text nor a hand-off call"));
            }

            return;
        }

        var reason = call.Arguments is { } args && args.TryGetValue("reason", out var r) ? r?.ToString() : null;
        var outcome = await StartHandoffAsync(reason, userMessage.Seq);
        context.AddRange(response.Messages);
        context.Add(new AiMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, JsonSerializer.Serialize(new { outcome = outcome.Outcome }))]));
        try
        {
            var after = await client.GetResponseAsync(context, options, limit.Token);
            if (after.Text is { Length: > 0 } text)
            {
                await AppendAsync(ChatMessage.Bot, text.Trim(), null, null);
            }
        }
        catch (Exception ex) when (ex is not ConversationRefusedException)
        {
            // The hand-off already follows its own path; only the model's closing words are lost.
            logger.LogWarning(ex, "The bot of agent {AgentId} failed after the hand-off tool ran", S.AgentId);
        }
    }

    private List<AiMessage> ModelContext(BotSettings botSettings)
    {
        var context = new List<AiMessage>();
        if (botSettings.SystemPrompt is { Length: > 0 } prompt)
        {
            context.Add(new AiMessage(ChatRole.System, prompt));
        }

        if (S.EndReasonForBot is { } ended)
        {
            context.Add(new AiMessage(ChatRole.System,
                $"A human from the support team handled part of this conversation; that hand-off has ended ({ended}). You may answer the user again."));
        }

        foreach (var m in recent.Where(m => m.From is ChatMessage.User or ChatMessage.Bot).TakeLast(BotContextMessages))
        {
            context.Add(new AiMessage(m.From == ChatMessage.User ? ChatRole.User : ChatRole.Assistant, m.Text));
        }

        return context;
    }

    private async Task BotFailedAsync(Exception ex)
    {
        logger.LogWarning("The bot of agent {AgentId} failed: {Cause}", S.AgentId, ex.GetType().Name + ": " + ex.Message);
        await SystemAsync(t => t.BotUnavailable);
    }

    private async Task<HandoffOutcome> StartHandoffAsync(string? reason, long? questionSeq)
    {
        var agent = GrainFactory.GetGrain<IAgentGrain>(AgentKeys.For(S.AgentId));
        var settings = await agent.GetHandoffSettingsAsync();
        var handoff = new HandoffRecord { HandoffId = NewId("h"), RequestedAt = Now, CurrentQuestionSeq = questionSeq, Reason = reason };
        S.Handoff = handoff;

        if (settings is not { Enabled: true })
        {
            return await RefuseAsync(EndReasons.Disabled, (settings?.Texts ?? HandoffTexts.Defaults).Unavailable);
        }

        var connection = await agent.GetHelpDeskForHandoffAsync(TimeSpan.FromSeconds(5));
        var helpDeskMode = settings.Mode == HandoffSettings.HelpDeskToHelpDesk;

        // Sobot hands over inside its own widget, so only a conversation from that widget can go there, in either mode;
        // in help-desk → help-desk mode only the connected desk's own messenger may hand over.
        var rightChannel = connection?.Kind == "sobot"
            ? S.Channel == "sobot"
            : HelpDeskChannels.Contains(S.Channel) == helpDeskMode &&
              (!helpDeskMode || (S.DeskConversationId is not null && connection?.Kind == S.Channel));
        if (!rightChannel)
        {
            return await RefuseAsync(EndReasons.WrongChannel, settings.Texts.Unavailable);
        }

        if (connection is not { Status: HelpDeskConnection.Available })
        {
            return await RefuseAsync(EndReasons.HelpDeskUnavailable, settings.Texts.Unavailable);
        }

        if (!ServiceSchedule.IsInService(Now, TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone), SchedulePeriods(settings)))
        {
            return await RefuseAsync(EndReasons.OffHours, settings.OffHoursReply);
        }

        await GrainFactory.GetGrain<IHandoffLinkGrain>(handoff.HandoffId).SetAsync(S.AgentId, Id);
        // Inside a desk's messenger the e-mail is asked only when the desk named none for its user.
        if (S.Email is null)
        {
            handoff.State = ConversationStates.AwaitingEmail;
            await state.WriteStateAsync();
            await SystemAsync(settings.Texts.AskEmail);
            PushState(ConversationStates.AwaitingEmail, null);
            return new HandoffOutcome("awaiting-email", handoff.HandoffId);
        }

        return await OpenAsync();
    }

    private async Task<HandoffOutcome> OpenAsync()
    {
        var handoff = Active!;
        var agent = GrainFactory.GetGrain<IAgentGrain>(AgentKeys.For(S.AgentId));
        var settings = await SettingsAsync();
        var connection = await agent.GetHelpDeskAsync();
        var dialogue = (await DialogueAsync()).Select(m => (m.From == ChatMessage.User, m.Seq, m.Text)).ToList();
        var body = HistoryWindow.Select(dialogue, handoff.CurrentQuestionSeq, settings.HistoryMessageCount);
        try
        {
            if (connection is null)
            {
                throw new HelpDeskFailedException("the help-desk connection was removed", null);
            }

            var opened = S.DeskConversationId is { } inDesk
                ? await HandOverInDeskAsync(connection, inDesk)
                : await HelpDesk.OpenAsync(connection, new HelpDeskOpeningRequest(S.AgentId, Id, handoff.HandoffId, S.Email, S.UserId,
                    body.Select(b => new HistoryItem(b.IsUser, b.Text)).ToList()));
            handoff.DeskConversationId = opened.ConversationId;
            handoff.ReadBackWhenQuiet = opened.ReadBackWhenQuiet;
            if (opened.ConversationId != handoff.HandoffId)
            {
                await GrainFactory.GetGrain<IHandoffLinkGrain>(HandoffLinks.ForDesk(connection.Kind, S.AgentId, opened.ConversationId))
                    .SetAsync(new HandoffLink(S.AgentId, Id, handoff.HandoffId, opened.UserId));
            }
        }
        catch (HelpDeskFailedException ex)
        {
            logger.LogWarning("Hand-off {HandoffId} of agent {AgentId} could not be opened: {Cause}", handoff.HandoffId, S.AgentId, ex.Message);
            handoff.State = ConversationStates.Ended;
            handoff.EndedAt = Now;
            handoff.EndReason = EndReasons.HelpDeskError;
            await state.WriteStateAsync();
            await SystemAsync(settings.Texts.Unavailable);
            PushState(ConversationStates.Bot, EndReasons.HelpDeskError);
            return new HandoffOutcome(EndReasons.HelpDeskError, handoff.HandoffId);
        }

        handoff.State = ConversationStates.WaitingForHuman;
        handoff.OpenedAt = Now;
        // A prompt could not reach a Zobot visitor (no reply without a visitor message): SalesIQ's own "missed" ends the wait there.
        S.Deadline = InAnswerOnlyDesk ? null : Now.AddSeconds(settings.WaitTimeoutSeconds);
        await state.WriteStateAsync();
        ArmDeadlineTimer();
        await UpdateBackstopAsync();
        await SystemAsync(settings.Texts.Waiting);
        PushState(ConversationStates.WaitingForHuman, null);
        lastWordFromDesk = Now;
        ArmReconcile();
        return new HandoffOutcome("waiting-for-human", handoff.HandoffId);
    }

    private async Task<HandoffOutcome> RefuseAsync(string reason, string text)
    {
        var handoff = S.Handoff!;
        handoff.State = ConversationStates.Ended;
        handoff.EndedAt = Now;
        handoff.EndReason = reason;
        await state.WriteStateAsync();
        await SystemAsync(text);
        PushState(ConversationStates.Bot, reason);
        return new HandoffOutcome(reason, handoff.HandoffId);
    }

    private async Task EndAsync(string reason, string? deskCloseType, Func<HandoffTexts, string>? text = null)
    {
        var handoff = Active!;
        var settings = await SettingsAsync();
        handoff.State = ConversationStates.Ended;
        handoff.EndedAt = Now;
        handoff.EndReason = reason;
        S.Deadline = null;
        S.EndReasonForBot = reason;
        if (deskCloseType is not null)
        {
            S.Outbox.Add(new OutboxItem { Kind = OutboxItem.Close, HandoffId = handoff.HandoffId, DeskConversationId = handoff.DeskConversationId, MessageId = NewId("x"), CloseType = deskCloseType });
        }

        await state.WriteStateAsync();
        DisposeDeadlineTimer();
        reconcileTimer?.Dispose();
        reconcileTimer = null;
        await SystemAsync((text ?? (t => t.Ended))(settings.Texts));
        PushState(ConversationStates.Bot, reason);
        if (S.Outbox.Count > 0)
        {
            ScheduleOutbox(TimeSpan.Zero);
        }

        await UpdateBackstopAsync();
    }

    // ----- timeouts -----

    private async Task OnDeadlineAsync()
    {
        // Idempotent: whoever runs it (timer, reminder, activation) first moves or clears the deadline.
        if (S.Deadline is not { } deadline)
        {
            return;
        }

        if (deadline > Now)
        {
            // A timer may fire a hair early; never act early, and never lose the deadline either.
            ArmDeadlineTimer();
            return;
        }

        switch (Active?.State)
        {
            case ConversationStates.WaitingForHuman:
                var settings = await SettingsAsync();
                Active!.State = ConversationStates.WaitTimeoutPrompt;
                S.Deadline = Now.AddSeconds(settings.WaitTimeoutSeconds);
                await state.WriteStateAsync();
                ArmDeadlineTimer();
                await SystemAsync(settings.Texts.WaitTimeoutPrompt);
                PushState(ConversationStates.WaitTimeoutPrompt, EndReasons.WaitTimeout);
                break;
            case ConversationStates.WaitTimeoutPrompt:
                await EndAsync(EndReasons.WaitTimeout, "TIMEOUT");
                break;
            case ConversationStates.WithHuman:
                await EndAsync(EndReasons.SessionTimeout, "TIMEOUT");
                break;
            default:
                S.Deadline = null;
                await state.WriteStateAsync();
                break;
        }

        await UpdateBackstopAsync();
    }

    private void ArmDeadlineTimer()
    {
        DisposeDeadlineTimer();
        if (S.Deadline is not { } deadline)
        {
            return;
        }

        var due = deadline - Now;
        deadlineTimer = this.RegisterGrainTimer(async () =>
        {
            DisposeDeadlineTimer();
            await OnDeadlineAsync();
        }, new GrainTimerCreationOptions { DueTime = due < TimeSpan.Zero ? TimeSpan.Zero : due, Period = Timeout.InfiniteTimeSpan });
    }

    private void DisposeDeadlineTimer()
    {
        deadlineTimer?.Dispose();
        deadlineTimer = null;
    }

    /// <summary>The reminder exists exactly while something must happen even if this activation dies.</summary>
    private async Task UpdateBackstopAsync()
    {
        var needed = S.Deadline is not null || S.Outbox.Count > 0;
        // Re-register only when the reminder's first tick would come after a nearer deadline (wait → session).
        var tooLate = backstopRegistered && S.Deadline is { } deadline && backstopFirstTick is { } first && first > Now && deadline < first;
        if (needed && (!backstopRegistered || tooLate))
        {
            var period = reminderOptions.Value.MinimumReminderPeriod;
            var due = S.Deadline is { } d && d > Now ? d - Now + TimeSpan.FromMilliseconds(200) : period;
            await this.RegisterOrUpdateReminder(BackstopReminder, due, period);
            backstopRegistered = true;
            backstopFirstTick = Now + due;
        }
        else if (!needed && backstopRegistered)
        {
            if (await this.GetReminder(BackstopReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            backstopRegistered = false;
            backstopFirstTick = null;
        }
    }

    // ----- reading back what a desk's lost webhooks did not bring -----

    private void ArmReconcile()
    {
        // Only desks that may lose webhooks pay for the periodic read-back.
        if (reconcileTimer is not null || Active is not { ReadBackWhenQuiet: true, DeskConversationId: not null, State: not ConversationStates.AwaitingEmail })
        {
            return;
        }

        var period = conversationOptions.Value.ReconcileQuietPeriod;
        reconcileTimer = this.RegisterGrainTimer(ReconcileAsync, new GrainTimerCreationOptions { DueTime = period, Period = period });
    }

    private async Task ReconcileAsync()
    {
        if (Active is not { DeskConversationId: { } deskId } handoff || handoff.State == ConversationStates.AwaitingEmail)
        {
            reconcileTimer?.Dispose();
            reconcileTimer = null;
            return;
        }

        if (Now - lastWordFromDesk < conversationOptions.Value.ReconcileQuietPeriod)
        {
            return;
        }

        lastWordFromDesk = Now;
        if (await GrainFactory.GetGrain<IAgentGrain>(AgentKeys.For(S.AgentId)).GetHelpDeskAsync() is not { } connection)
        {
            return;
        }

        IReadOnlyList<MissedHumanMessage> messages;
        try
        {
            messages = await HelpDesk.ReadHumanMessagesAsync(connection, deskId);
        }
        catch (HelpDeskFailedException ex)
        {
            logger.LogInformation("Reading back the desk conversation of {ConversationId} failed: {Cause}", Id, ex.Message);
            return;
        }

        foreach (var message in messages)
        {
            // The same dedupe keys as the webhooks: what did arrive is not shown twice.
            if (Active?.HandoffId != handoff.HandoffId)
            {
                break;
            }

            await ReceiveHumanEventAsync(new HumanEvent(handoff.HandoffId, HumanEvent.Message, message.Text, message.DedupeKey, message.SenderName, Now));
        }
    }

    // ----- the outbox to the help-desk -----

    private void ScheduleOutbox(TimeSpan due)
    {
        outboxTimer?.Dispose();
        outboxTimer = this.RegisterGrainTimer(DeliverOutboxAsync, new GrainTimerCreationOptions { DueTime = due, Period = Timeout.InfiniteTimeSpan });
    }

    private async Task DeliverOutboxAsync()
    {
        outboxTimer?.Dispose();
        outboxTimer = null;
        var connection = S.Outbox.Count > 0 ? await GrainFactory.GetGrain<IAgentGrain>(AgentKeys.For(S.AgentId)).GetHelpDeskAsync() : null;
        while (S.Outbox.Count > 0)
        {
            var item = S.Outbox[0];
            try
            {
                if (connection is null)
                {
                    throw new HelpDeskFailedException("the agent has no help-desk connection", null);
                }

                if (item.Kind == OutboxItem.BotReply)
                {
                    await HelpDesk.SendBotMessageAsync(connection, item.DeskConversationId!, item.MessageId, item.Text ?? "");
                }
                else if (item.Kind == OutboxItem.Chat)
                {
                    await HelpDesk.SendUserMessageAsync(connection, item.DeskConversationId ?? item.HandoffId, item.MessageId, item.Text ?? "");
                }
                else if (S.DeskConversationId is not null)
                {
                    await HelpDesk.CloseAsBotAsync(connection, item.DeskConversationId ?? S.DeskConversationId, item.CloseType ?? "USER_CLOSED");
                }
                else
                {
                    await HelpDesk.CloseAsync(connection, item.DeskConversationId ?? item.HandoffId, item.CloseType ?? "USER_CLOSED");
                }
            }
            catch (HelpDeskFailedException ex)
            {
                item.Attempts++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(item.Attempts, 10))));
                logger.LogInformation("Delivery to the help-desk failed (attempt {Attempt}, next in {Backoff}): {Cause}", item.Attempts, backoff, ex.Message);
                ScheduleOutbox(backoff);
                return;
            }

            S.Outbox.RemoveAt(0);
            await state.WriteStateAsync();
        }

        await UpdateBackstopAsync();
    }

    // ----- messages and pushes -----

    private async Task<(ChatMessage Message, bool Duplicate)> AppendAsync(string from, string text, string? senderName, string? dedupeKey, string? id = null)
    {
        var message = new ChatMessage(lastSeq + 1, id ?? NewId("m"), from, text, Now, senderName);
        if (!await transcript.TryAppendAsync(Id, message, dedupeKey))
        {
            var existing = dedupeKey is null ? null : await transcript.FindByDedupeKeyAsync(Id, dedupeKey);
            return existing is not null
                ? (existing, true)
                : throw new InvalidOperationException($"message {message.Seq} of {Id} was written by someone else");
        }

        lastSeq = message.Seq;
        recent.Add(message);
        if (recent.Count > JoinWindow)
        {
            recent.RemoveAt(0);
        }

        Push(o => o.MessageAsync(Id, message));
        if (S.DeskConversationId is { } deskConversationId && from is ChatMessage.Bot or ChatMessage.System)
        {
            // Inside a desk's messenger the user reads only what the desk shows: our bot's words are posted there, in order.
            if (InAnswerOnlyDesk)
            {
                S.PendingDeskReplies.Add(message.Text);
                if (S.PendingDeskReplies.Count > MaxPendingDeskReplies) S.PendingDeskReplies.RemoveAt(0);
                await state.WriteStateAsync();
            }
            else
            {
                S.Outbox.Add(new OutboxItem { Kind = OutboxItem.BotReply, HandoffId = Active?.HandoffId ?? "", DeskConversationId = deskConversationId, MessageId = message.Id, Text = message.Text });
                await state.WriteStateAsync();
                ScheduleOutbox(TimeSpan.Zero);
            }
        }

        return (message, false);
    }

    private async Task SystemAsync(Func<HandoffTexts, string> text) => await SystemAsync(text((await SettingsAsync()).Texts));

    private async Task SystemAsync(string text) => await AppendAsync(ChatMessage.System, text, null, null);

    private void PushState(string conversationState, string? reason)
    {
        var change = new StateChange(conversationState, reason, Now);
        Push(o => o.StateAsync(Id, change));
        // One-way: the operator console's live list must never slow the conversation down.
        _ = GrainFactory.GetGrain<IAgentGrain>(AgentKeys.For(S.AgentId))
            .ReportConversationAsync(new LiveConversation(Id, S.Channel, conversationState, reason, S.Email, change.At));
    }

    private void Push(Func<IChatPushObserver, Task> send)
    {
        var cutoff = Now - ObserverLifetime;
        foreach (var (observer, renewed) in observers.ToList())
        {
            if (renewed < cutoff)
            {
                observers.Remove(observer);
                continue;
            }

            try
            {
                _ = send(observer);
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Push to a web node failed; it resumes by seq");
                observers.Remove(observer);
            }
        }
    }

    // ----- helpers -----

    private string CurrentState => Active?.State ?? ConversationStates.Bot;

    private IHelpDeskGrain HelpDesk => GrainFactory.GetGrain<IHelpDeskGrain>(AgentKeys.For(S.AgentId));

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

    private async Task<HandoffSettings?> AgentSettingsOrNullAsync() =>
        await GrainFactory.GetGrain<IAgentGrain>(AgentKeys.For(S.AgentId)).GetHandoffSettingsAsync();

    private async Task<HandoffSettings> SettingsAsync() => await AgentSettingsOrNullAsync() ?? AgentSettingsDefaults.Disabled;

    private async Task<IReadOnlyList<ChatMessage>> DialogueAsync()
    {
        var source = recent.Count > 0 && recent[0].Seq == 1 ? recent : await transcript.ReadLastAsync(Id, 10_000);
        return source.Where(m => m.From is ChatMessage.User or ChatMessage.Bot).ToList();
    }

    private static IReadOnlyCollection<ServicePeriod> SchedulePeriods(HandoffSettings settings) =>
        settings.ServicePeriods.Select(AgentSettingsDefaults.ToServicePeriod).ToList();

    /// <summary>Whether a message with this dedupe key is stored; the database is asked only beyond the cached window.</summary>
    private async Task<bool> IsStoredAsync(string dedupeKey)
    {
        var messageId = HumanMessageId(dedupeKey);
        if (recent.Any(m => m.Id == messageId))
        {
            return true;
        }

        var cacheHoldsAll = recent.Count == 0 ? lastSeq == 0 : recent[0].Seq == 1;
        return !cacheHoldsAll && await transcript.FindByDedupeKeyAsync(Id, dedupeKey) is not null;
    }

    private static string HumanMessageId(string dedupeKey) =>
        "m" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dedupeKey)))[..24];

    private static string NewId(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

}
