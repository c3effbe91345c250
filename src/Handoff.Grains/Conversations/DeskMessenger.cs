using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Contracts.HelpDesks;
using ChatMessage = Handoff.Contracts.Conversations.ChatMessage;

namespace Handoff.Grains.Conversations;

/// <summary>
/// The desk's side of a conversation that lives in a desk's own messenger (help-desk → help-desk mode): the user
/// reads only what the desk shows, so our bot's and service words are posted there in order (through the outbox, or,
/// for desks that hear the bot only in their webhook's answer, kept for the next answer); a hand-off gives the same
/// desk conversation to the desk's humans.
/// </summary>
public sealed class DeskMessenger(IGrainFactory grains, IPersistentState<ConversationState> state, DeskOutbox outbox, Func<string, bool> answersInsideWebhook)
{
    private const int MaxPendingReplies = 20;
    private ConversationState S => state.State;

    public bool InDesk => S.DeskConversationId is not null;

    /// <summary>The desk hears our bot only in its webhook's answer (SalesIQ's Zobot).</summary>
    public bool AnswersInsideWebhook => InDesk && answersInsideWebhook(S.Channel);

    /// <summary>Our own bot or service message: into the desk, in order.</summary>
    public async Task PostAsync(ChatMessage message)
    {
        if (S.DeskConversationId is not { } deskConversationId || message.From is not (ChatMessage.Bot or ChatMessage.System))
        {
            return;
        }

        if (AnswersInsideWebhook)
        {
            S.PendingDeskReplies.Add(message.Text);
            if (S.PendingDeskReplies.Count > MaxPendingReplies) S.PendingDeskReplies.RemoveAt(0);
            await state.WriteStateAsync();
            return;
        }

        S.Outbox.Add(new OutboxItem { Kind = OutboxItem.BotReply, HandoffId = S.Handoff?.HandoffId ?? "", DeskConversationId = deskConversationId, MessageId = message.Id, Text = message.Text });
        await state.WriteStateAsync();
        outbox.Schedule(TimeSpan.Zero);
    }

    /// <summary>Gives the desk's own conversation to its humans; its webhooks then find this hand-off by it.</summary>
    public async Task<DeskConversation> HandOverAsync(HelpDeskConnection connection, string deskConversationId)
    {
        if (AnswersInsideWebhook)
        {
            // The forward travels in the webhook's answer, after the texts before it.
            S.ForwardPending = true;
            await state.WriteStateAsync();
            return new DeskConversation(deskConversationId, null);
        }

        // Service texts go into the desk before the hand-over, in the order the user should read them.
        await outbox.DeliverAsync();
        await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(S.AgentId)).HandOverAsync(connection, deskConversationId);
        return new DeskConversation(deskConversationId, null);
    }

    public async Task<DeskAnswer> TakeAnswerAsync()
    {
        var answer = new DeskAnswer(S.PendingDeskReplies.ToList(), S.ForwardPending);
        if (answer.Replies.Count > 0 || answer.Forward)
        {
            S.PendingDeskReplies.Clear();
            S.ForwardPending = false;
            S.RecentDeskAnswers.AddRange(answer.Replies);
            S.RecentDeskAnswers.RemoveRange(0, Math.Max(0, S.RecentDeskAnswers.Count - MaxPendingReplies));
            await state.WriteStateAsync();
        }

        return answer;
    }

    /// <summary>SalesIQ may report the Zobot's own replies as an operator's: never let them count as the human's.</summary>
    public bool IsOwnEcho(string text) => AnswersInsideWebhook && S.RecentDeskAnswers.Contains(text);
}
