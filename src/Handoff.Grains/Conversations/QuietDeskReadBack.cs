using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Contracts.HelpDesks;
using Handoff.Core.Handoffs;
using Microsoft.Extensions.Logging;

namespace Handoff.Grains.Conversations;

/// <summary>
/// For desks that send a webhook once and never again (they may lose one): while a hand-off is quiet for
/// <c>ReconcileQuietPeriod</c>, reads the desk's conversation back and hands what the webhooks did not bring to the
/// conversation, with the same dedupe keys, so nothing shows twice. Other desks retry their webhooks and skip this.
/// </summary>
public sealed class QuietDeskReadBack(
    Grain grain,
    IGrainFactory grains,
    IPersistentState<ConversationState> state,
    Func<Task<HelpDeskConnection?>> connection,
    Func<HumanEvent, Task> deliver,
    TimeSpan quietPeriod,
    TimeProvider time,
    ILogger logger)
{
    private IGrainTimer? timer;
    private DateTimeOffset lastWordFromDesk;

    private HandoffAttempt? Watched => state.State.Handoff is { ReadBackWhenQuiet: true } stored && stored.ToAttempt() is { IsActive: true, ReadBackWhenQuiet: true, DeskConversationId: not null } h &&
                                      h.Stage is not (HandoffStage.AwaitingEmail or HandoffStage.Opening) ? h : null;

    /// <summary>The desk just spoke: the quiet period starts again.</summary>
    public void Heard() => lastWordFromDesk = time.GetUtcNow();

    /// <summary>Runs the read-back while the current hand-off needs it, and stops it otherwise.</summary>
    public void Follow()
    {
        if (Watched is null)
        {
            timer?.Dispose();
            timer = null;
        }
        else if (timer is null)
        {
            Heard();
            timer = grain.RegisterGrainTimer(ReadBackAsync, new GrainTimerCreationOptions { DueTime = quietPeriod, Period = quietPeriod });
        }
    }

    private async Task ReadBackAsync()
    {
        if (Watched is not { } handoff)
        {
            Follow();
            return;
        }

        if (time.GetUtcNow() - lastWordFromDesk < quietPeriod || await connection() is not { } desk)
        {
            return;
        }

        Heard();
        IReadOnlyList<MissedHumanMessage> messages;
        try
        {
            messages = await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(state.State.AgentId)).ReadHumanMessagesAsync(desk, handoff.DeskConversationId!);
        }
        catch (HelpDeskFailedException ex)
        {
            logger.LogInformation("Reading back the desk conversation of {ConversationId} failed: {Cause}", grain.GetPrimaryKeyString(), ex.Message);
            return;
        }

        foreach (var message in messages)
        {
            if (Watched?.HandoffId != handoff.HandoffId)
            {
                break;
            }

            await deliver(new HumanEvent(handoff.HandoffId, HumanEvent.Message, message.Text, message.DedupeKey, message.SenderName, time.GetUtcNow()));
        }
    }
}
