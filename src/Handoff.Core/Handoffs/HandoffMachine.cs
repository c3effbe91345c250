using System.Text.RegularExpressions;
using Handoff.Core.Conversations;
using Handoff.Core.Scheduling;

namespace Handoff.Core.Handoffs;

/// <summary>
/// The hand-off rules: given a conversation's state, the agent's policy and one event, the new state and the
/// effects to carry out. Pure: no clock but <c>now</c>, no I/O, no randomness, so every transition is testable alone.
/// </summary>
public static partial class HandoffMachine
{
    public static HandoffDecision Decide(HandoffState state, HandoffPolicy policy, HandoffEvent e, DateTimeOffset now) => e switch
    {
        HandoffRequested r => Request(state, policy, r, now),
        UserWrote w => UserMessage(state, policy, w, now),
        EmailGiven g => Email(state, g),
        DeskOpened o => Opened(state, policy, o, now),
        DeskOpenFailed f when state.Active is { Stage: HandoffStage.Opening } h && h.HandoffId == f.HandoffId =>
            Finish(state, h with { Stage = HandoffStage.Ended, EndedAt = now, EndReason = EndReason.HelpDeskError },
                new Say(ServiceText.Unavailable), new AnnounceState(ChatState.Bot, EndReason.HelpDeskError)),
        KeepWaitingChosen when state.Active is { Stage: HandoffStage.WaitTimeoutPrompt } h =>
            new(state with { Handoff = h with { Stage = HandoffStage.WaitingForHuman }, Deadline = now + policy.WaitTimeout },
                [new AnnounceState(ChatState.WaitingForHuman, null)]),
        UserEndedHandoff when state.Active is { } h =>
            End(state, h, EndReason.UserEnded, h.Stage is HandoffStage.AwaitingEmail or HandoffStage.Opening ? null : DeskCloseType.UserClosed, now),
        HumanWrote when state.Active is { Stage: not HandoffStage.AwaitingEmail } h => Human(state, policy, h, now),
        HumanClosed when state.Active is { Stage: not HandoffStage.AwaitingEmail } h => End(state, h, EndReason.HumanEnded, null, now),
        DeskMissed when state.Active is { Stage: not HandoffStage.AwaitingEmail } h =>
            End(state, h, EndReason.WaitTimeout, null, now, ServiceText.Unavailable),
        DeadlineReached => Deadline(state, policy, now),
        BotInformed when state.EndReasonForBot is not null => new(state with { EndReasonForBot = null }, []),
        _ => HandoffDecision.Unchanged(state),
    };

    /// <summary>Whether a user's words inside a desk's messenger answer the wait-timeout prompt with "end".</summary>
    public static bool SaysEnd(string text) => EndWords().IsMatch(text);

    private static HandoffDecision Request(HandoffState state, HandoffPolicy policy, HandoffRequested r, DateTimeOffset now)
    {
        if (state.Active is not null)
        {
            return HandoffDecision.Unchanged(state);
        }

        var attempt = new HandoffAttempt(r.NewHandoffId, HandoffStage.AwaitingEmail, now, r.QuestionSeq, r.Reason);
        var refusal = !policy.Enabled ? EndReason.Disabled
            : !RightChannel(state, policy) ? EndReason.WrongChannel
            : policy.Desk is not { Available: true } ? EndReason.HelpDeskUnavailable
            : !ServiceSchedule.IsInService(now, policy.TimeZone, policy.ServicePeriods) ? EndReason.OffHours
            : (EndReason?)null;
        if (refusal is { } reason)
        {
            // A refusal is kept as the last hand-off, ended at once; the bot is not told of it, nothing reached a human.
            return new(state with { Handoff = attempt with { Stage = HandoffStage.Ended, EndedAt = now, EndReason = reason } },
                [new Say(reason == EndReason.OffHours ? ServiceText.OffHoursReply : ServiceText.Unavailable), new AnnounceState(ChatState.Bot, reason)]);
        }

        // Inside a desk's messenger the e-mail is asked only when the desk named none for its user.
        return state.Email is null
            ? new(state with { Handoff = attempt }, [new RegisterHandoff(attempt.HandoffId), new Say(ServiceText.AskEmail), new AnnounceState(ChatState.AwaitingEmail, null)])
            : new(state with { Handoff = attempt with { Stage = HandoffStage.Opening } }, [new RegisterHandoff(attempt.HandoffId), new OpenDesk(attempt.HandoffId)]);
    }

    /// <summary>
    /// A desk that takes hand-offs only from its own widget takes them from there in either mode; otherwise channel
    /// mode serves our channels and help-desk mode only the connected desk's own messenger.
    /// </summary>
    private static bool RightChannel(HandoffState state, HandoffPolicy policy) => policy.Desk switch
    {
        { HandsOverOnlyInOwnWidget: true } desk => desk.ChannelIsThisDesk,
        var desk => (desk?.ChannelIsHelpDesk ?? false) == policy.HelpDeskToHelpDesk &&
                    (!policy.HelpDeskToHelpDesk || (state.InDeskMessenger && desk!.ChannelIsThisDesk)),
    };

    private static HandoffDecision UserMessage(HandoffState state, HandoffPolicy policy, UserWrote w, DateTimeOffset now)
    {
        switch (state.Active)
        {
            case null:
                return new(state, [new RunBotTurn(w.Seq)]);
            case { Stage: HandoffStage.AwaitingEmail }:
                return EmailAddress.TryNormalize(w.Text, out var email)
                    ? Email(state, new EmailGiven(email))
                    : new(state, [new Say(ServiceText.InvalidEmail)]);
            case { Stage: HandoffStage.WaitTimeoutPrompt } h when state.InDeskMessenger:
                // Inside a desk there are no buttons: the prompt is answered in words.
                return SaysEnd(w.Text)
                    ? End(state, h, EndReason.UserEnded, DeskCloseType.UserClosed, now)
                    : Decide(state, policy, new KeepWaitingChosen(), now);
            case var h:
                // Inside a desk's messenger the human reads the user there already.
                List<HandoffEffect> effects = state.InDeskMessenger ? [] : [new ForwardToDesk(h.HandoffId, w.MessageId, w.Text)];
                // The session timeout counts from the human's last message while the user has not answered.
                return new(h.Stage == HandoffStage.WithHuman ? state with { Deadline = null } : state, effects);
        }
    }

    private static HandoffDecision Email(HandoffState state, EmailGiven g) => state.Active is { Stage: HandoffStage.AwaitingEmail } h
        ? new(state with { Email = g.Email, Handoff = h with { Stage = HandoffStage.Opening } }, [new OpenDesk(h.HandoffId)])
        : new(state with { Email = g.Email }, []);

    private static HandoffDecision Opened(HandoffState state, HandoffPolicy policy, DeskOpened o, DateTimeOffset now)
    {
        if (state.Active is not { Stage: HandoffStage.Opening } h || h.HandoffId != o.HandoffId)
        {
            return HandoffDecision.Unchanged(state);
        }

        var opened = h with { Stage = HandoffStage.WaitingForHuman, OpenedAt = now, DeskConversationId = o.DeskConversationId, ReadBackWhenQuiet = o.ReadBackWhenQuiet };
        // A prompt cannot reach a user of a desk that hears the bot only in its webhook's answer: the desk's own "missed" ends the wait there.
        var noPrompt = state.InDeskMessenger && policy.Desk is { AnswersInsideWebhook: true };
        return new(state with { Handoff = opened, Deadline = noPrompt ? null : now + policy.WaitTimeout },
            [new Say(ServiceText.Waiting), new AnnounceState(ChatState.WaitingForHuman, null)]);
    }

    private static HandoffDecision Human(HandoffState state, HandoffPolicy policy, HandoffAttempt h, DateTimeOffset now)
    {
        var joined = h.Stage != HandoffStage.WithHuman;
        var next = joined ? h with { Stage = HandoffStage.WithHuman, FirstHumanReplyAt = now, OpenedAt = h.OpenedAt ?? now } : h;
        return new(state with { Handoff = next, Deadline = now + policy.SessionTimeout },
            !joined ? [] : state.InDeskMessenger
                // Inside a desk's messenger the desk itself shows who joined.
                ? [new AnnounceState(ChatState.WithHuman, null)]
                : [new Say(ServiceText.HumanJoined), new AnnounceState(ChatState.WithHuman, null)]);
    }

    private static HandoffDecision Deadline(HandoffState state, HandoffPolicy policy, DateTimeOffset now)
    {
        // Idempotent: whoever sees the deadline first (timer, reminder, activation) moves or clears it.
        if (state.Deadline is not { } deadline || deadline > now)
        {
            return HandoffDecision.Unchanged(state);
        }

        return state.Active switch
        {
            { Stage: HandoffStage.WaitingForHuman } h => new(
                state with { Handoff = h with { Stage = HandoffStage.WaitTimeoutPrompt }, Deadline = now + policy.WaitTimeout },
                [new Say(ServiceText.WaitTimeoutPrompt), new AnnounceState(ChatState.WaitTimeoutPrompt, EndReason.WaitTimeout)]),
            { Stage: HandoffStage.WaitTimeoutPrompt } h => End(state, h, EndReason.WaitTimeout, DeskCloseType.Timeout, now),
            { Stage: HandoffStage.WithHuman } h => End(state, h, EndReason.SessionTimeout, DeskCloseType.Timeout, now),
            _ => new(state with { Deadline = null }, []),
        };
    }

    /// <summary>The one way a hand-off that reached the desk ends: the bot is told, the desk closed if our side ended it.</summary>
    private static HandoffDecision End(HandoffState state, HandoffAttempt h, EndReason reason, DeskCloseType? close, DateTimeOffset now,
        ServiceText text = ServiceText.Ended)
    {
        List<HandoffEffect> effects = close is { } type ? [new CloseAtDesk(h.HandoffId, type)] : [];
        effects.Add(new Say(text));
        effects.Add(new AnnounceState(ChatState.Bot, reason));
        return new(state with { Handoff = h with { Stage = HandoffStage.Ended, EndedAt = now, EndReason = reason }, Deadline = null, EndReasonForBot = reason },
            effects);
    }

    private static HandoffDecision Finish(HandoffState state, HandoffAttempt ended, params HandoffEffect[] effects) =>
        new(state with { Handoff = ended, Deadline = null }, effects);

    [GeneratedRegex(@"^\W*(end|stop|no|quit|cancel|close)\b", RegexOptions.IgnoreCase)]
    private static partial Regex EndWords();
}
