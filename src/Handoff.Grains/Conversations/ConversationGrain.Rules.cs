using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Contracts.HelpDesks;
using Handoff.Core.Conversations;
using Handoff.Core.Handoffs;
using Microsoft.Extensions.Logging;
using ChatMessage = Handoff.Contracts.Conversations.ChatMessage;

namespace Handoff.Grains.Conversations;

/// <summary>The conversation as an interpreter of the hand-off rules: read the inputs, decide, save, then carry out.</summary>
public sealed partial class ConversationGrain
{
    private IHelpDeskGrain HelpDesk => GrainFactory.GetGrain<IHelpDeskGrain>(AgentKeys.For(S.AgentId));

    private async Task<HandoffOutcome> RequestAsync(string? reason, long? questionSeq)
    {
        if (Machine.Active is null)
        {
            await ApplyAsync(new HandoffRequested(ConversationTranscript.NewId("h"), reason, questionSeq), await PolicyAsync(forHandoff: true));
        }

        var handoff = S.Handoff!.ToAttempt();
        var outcome = handoff.IsActive
            ? handoff.Stage == HandoffStage.AwaitingEmail ? "awaiting-email" : "waiting-for-human"
            : HandoffNames.Of(handoff.EndReason ?? EndReason.HelpDeskError);
        return new HandoffOutcome(outcome, handoff.HandoffId);
    }

    /// <summary>
    /// Every input is read before the rules decide, and nothing is carried out before their state is saved, so a
    /// failure on the way (the agent, the time zone, the link, the write) leaves the conversation as it was.
    /// </summary>
    private async Task ApplyAsync(HandoffEvent e, HandoffPolicy? policy = null)
    {
        policy ??= await PolicyAsync();
        var before = Machine;
        var decision = HandoffMachine.Decide(before, policy, e, Now);
        if (decision.State == before && decision.Effects.Count == 0)
        {
            return;
        }

        foreach (var link in decision.Effects.OfType<RegisterHandoff>())
        {
            await GrainFactory.GetGrain<IHandoffLinkGrain>(link.HandoffId).SetAsync(S.AgentId, Id);
        }

        var queued = decision.Effects.Select(ToOutboxItem).OfType<OutboxItem>().ToList();
        if (decision.State != before || queued.Count > 0)
        {
            await CommitAsync(decision.State, queued);
        }

        if (S.Deadline != before.Deadline)
        {
            deadline.Follow(S.Deadline);
        }

        if (Opening)
        {
            // Before the desk is asked: if this node dies during the call, the reminder asks again elsewhere.
            await KeepBackstopAsync();
        }

        readBack.Follow();
        var settings = await agent.SettingsAsync();
        foreach (var effect in decision.Effects)
        {
            switch (effect)
            {
                case Say say:
                    await SayAsync(AgentSnapshotCache.Text(settings, say.Text));
                    break;
                case AnnounceState announce:
                    subscribers.State(S.AgentId, S.Channel, S.Email, HandoffNames.Of(announce.State),
                        announce.Reason is { } reason ? HandoffNames.Of(reason) : null, Now);
                    break;
                case RunBotTurn turn:
                    bot.Enqueue(turn.Seq);
                    break;
                case OpenDesk open:
                    await OpenDeskAsync(open.HandoffId);
                    break;
            }
        }

        if (queued.Count > 0)
        {
            outbox.Schedule(TimeSpan.Zero);
        }

        await KeepBackstopAsync();
    }

    private static OutboxItem? ToOutboxItem(HandoffEffect effect) => effect switch
    {
        ForwardToDesk f => new OutboxItem { Kind = OutboxItem.Chat, HandoffId = f.HandoffId, MessageId = f.MessageId, Text = f.Text },
        CloseAtDesk c => new OutboxItem { Kind = OutboxItem.Close, HandoffId = c.HandoffId, MessageId = ConversationTranscript.NewId("x"), CloseType = HandoffNames.Of(c.Type) },
        _ => null,
    };

    private async Task CommitAsync(HandoffState next, IReadOnlyList<OutboxItem> queued)
    {
        var (handoff, due, email, endReason, outboxCount) = (S.Handoff, S.Deadline, S.Email, S.EndReasonForBot, S.Outbox.Count);
        S.Take(next);
        S.Outbox.AddRange(queued);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Orleans keeps whatever the grain set: undo it, so an unsaved decision never acts later (a ghost hand-off).
            (S.Handoff, S.Deadline, S.Email, S.EndReasonForBot) = (handoff, due, email, endReason);
            S.Outbox.RemoveRange(outboxCount, S.Outbox.Count - outboxCount);
            throw;
        }
    }

    private async Task<HandoffPolicy> PolicyAsync(bool forHandoff = false)
    {
        var snapshot = await agent.GetAsync();
        var desk = snapshot.HelpDesk;
        if (forHandoff && snapshot.Settings is { Enabled: true } && desk is { Status: HelpDeskConnection.Unavailable })
        {
            // An unavailable desk is checked again (at most every 5 s), so a desk that came back is used at once.
            desk = await ConnectionForHandoffAsync();
        }

        return channelPolicy.For(snapshot.Settings, desk, S.Channel, forHandoff);
    }

    private async Task<HelpDeskConnection?> ConnectionForHandoffAsync() => await HelpDesk.ConnectionForHandoffAsync(TimeSpan.FromSeconds(5));

    private async Task<HelpDeskConnection?> ConnectionAsync() => (await agent.GetAsync()).HelpDesk;

    /// <summary>
    /// Asks the desk to open the conversation whose opening was decided and saved. Idempotent: it acts only while that
    /// hand-off is still opening, and a retry (after a crash) sends the same hand-off id.
    /// </summary>
    private async Task OpenDeskAsync(string handoffId)
    {
        if (Machine.Active is not { Stage: HandoffStage.Opening } handoff || handoff.HandoffId != handoffId)
        {
            return;
        }

        DeskConversation opened;
        try
        {
            var connection = await ConnectionAsync() ?? throw new HelpDeskFailedException("the help-desk connection was removed", null);
            opened = S.DeskConversationId is { } inDesk
                ? await messenger.HandOverAsync(connection, inDesk)
                : await HelpDesk.OpenAsync(connection, new HelpDeskOpeningRequest(S.AgentId, Id, handoff.HandoffId, S.Email, S.UserId, await HistoryAsync(handoff)));
            if (opened.ConversationId != handoff.HandoffId)
            {
                await GrainFactory.GetGrain<IHandoffLinkGrain>(HandoffLinks.ForDesk(connection.Kind, S.AgentId, opened.ConversationId))
                    .SetAsync(new HandoffLink(S.AgentId, Id, handoff.HandoffId, opened.UserId));
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning("Hand-off {HandoffId} of agent {AgentId} could not be opened: {Cause}", handoff.HandoffId, S.AgentId, ex.Message);
            await ApplyAsync(new DeskOpenFailed(handoffId));
            return;
        }

        await ApplyAsync(new DeskOpened(handoffId, opened.ConversationId, opened.ReadBackWhenQuiet));
        outbox.Kick(); // what the user wrote while the desk was being asked
    }

    private async Task<IReadOnlyList<HistoryItem>> HistoryAsync(HandoffAttempt handoff)
    {
        var settings = await agent.SettingsAsync();
        var dialogue = (await transcript.DialogueAsync()).Select(m => (m.From == ChatMessage.User, m.Seq, m.Text)).ToList();
        return HistoryWindow.Select(dialogue, handoff.CurrentQuestionSeq, settings.HistoryMessageCount)
            .Select(b => new HistoryItem(b.IsUser, b.Text)).ToList();
    }

    private async Task OnDeadlineAsync()
    {
        if (S.Deadline is not { } due)
        {
            return;
        }

        if (due > Now)
        {
            // A timer may fire a hair early; never act early, and never lose the deadline either.
            deadline.Follow(S.Deadline);
            return;
        }

        await ApplyAsync(new DeadlineReached());
    }

    private bool Opening => S.Handoff is { } h && HandoffNames.StageOf(h.State) == HandoffStage.Opening;

    private Task KeepBackstopAsync() => deadline.KeepBackstopAsync(S.Deadline is not null || S.Outbox.Count > 0 || Opening, S.Deadline);

    private async Task<(ChatMessage Message, bool Duplicate)> AppendAsync(string from, string text, string? senderName, string? dedupeKey, string? id = null)
    {
        var (message, duplicate) = await transcript.AppendAsync(from, text, senderName, dedupeKey, id);
        if (!duplicate)
        {
            subscribers.Message(message);
            await messenger.PostAsync(message);
        }

        return (message, duplicate);
    }

    private Task SayAsync(string text) => AppendAsync(ChatMessage.System, text, null, null);
}
