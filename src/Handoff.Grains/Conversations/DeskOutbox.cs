using Handoff.Contracts.Agents;
using Handoff.Contracts.HelpDesks;
using Handoff.Core.Handoffs;
using Microsoft.Extensions.Logging;

namespace Handoff.Grains.Conversations;

/// <summary>
/// Delivers a conversation's calls to the help-desk (user messages, bot posts inside a desk's messenger, closes)
/// strictly in the order they were queued, one at a time; a failed call is retried with back-off and nothing behind
/// it overtakes it. The queue is part of the conversation's persisted state, so it survives a crash.
/// </summary>
public sealed class DeskOutbox(
    Grain grain,
    IGrainFactory grains,
    IPersistentState<ConversationState> state,
    Func<Task<HelpDeskConnection?>> connection,
    Func<Task> afterDrained,
    ILogger logger)
{
    private static readonly string UserClosed = HandoffNames.Of(DeskCloseType.UserClosed);
    private IGrainTimer? timer;
    private ConversationState S => state.State;

    public bool Scheduled => timer is not null;

    public void Schedule(TimeSpan due)
    {
        timer?.Dispose();
        timer = grain.RegisterGrainTimer(DeliverAsync, new GrainTimerCreationOptions { DueTime = due, Period = Timeout.InfiniteTimeSpan });
    }

    public void Kick()
    {
        if (S.Outbox.Count > 0 && timer is null)
        {
            Schedule(TimeSpan.Zero);
        }
    }

    public async Task DeliverAsync()
    {
        timer?.Dispose();
        timer = null;
        var desk = S.Outbox.Count > 0 ? await connection() : null;
        var helpDesk = grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(S.AgentId));
        while (S.Outbox.Count > 0)
        {
            var item = S.Outbox[0];
            var current = S.Handoff?.HandoffId == item.HandoffId ? S.Handoff : null;
            if (current is not null && HandoffNames.StageOf(current.State) == HandoffStage.Opening)
            {
                return; // the desk conversation does not exist yet: the opening delivers what waits once it does
            }

            // Items queued before the desk named its conversation take that name now.
            var deskConversationId = item.DeskConversationId ?? current?.DeskConversationId ?? item.HandoffId;
            try
            {
                if (desk is null)
                {
                    throw new HelpDeskFailedException("the agent has no help-desk connection", null);
                }

                switch (item.Kind)
                {
                    case OutboxItem.BotReply:
                        await helpDesk.SendBotMessageAsync(desk, deskConversationId, item.MessageId, item.Text ?? "");
                        break;
                    case OutboxItem.Chat:
                        await helpDesk.SendUserMessageAsync(desk, deskConversationId, item.MessageId, item.Text ?? "");
                        break;
                    case var _ when S.DeskConversationId is { } inDesk:
                        await helpDesk.CloseAsBotAsync(desk, item.DeskConversationId ?? inDesk, item.CloseType ?? UserClosed);
                        break;
                    default:
                        await helpDesk.CloseAsync(desk, deskConversationId, item.CloseType ?? UserClosed);
                        break;
                }
            }
            catch (HelpDeskFailedException ex)
            {
                item.Attempts++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(item.Attempts, 10))));
                logger.LogInformation("Delivery to the help-desk failed (attempt {Attempt}, next in {Backoff}): {Cause}", item.Attempts, backoff, ex.Message);
                Schedule(backoff);
                return;
            }

            S.Outbox.RemoveAt(0);
            await state.WriteStateAsync();
        }

        await afterDrained();
    }
}
