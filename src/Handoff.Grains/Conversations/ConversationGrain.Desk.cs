using System.Text.RegularExpressions;
using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Contracts.HelpDesks;
using Handoff.Core.Conversations;
using ChatMessage = Handoff.Contracts.Conversations.ChatMessage;

namespace Handoff.Grains.Conversations;

/// <summary>
/// The conversation of a desk's own messenger (help-desk → help-desk mode): made by the desk's webhooks, its bot
/// answers go into the desk, and its hand-off gives the same desk conversation to the desk's humans.
/// </summary>
public sealed partial class ConversationGrain
{
    // SalesIQ's Zobot has no asynchronous bot reply (helpdesks.md 3.7): the bot's words wait for its next webhook answer.
    private static readonly HashSet<string> AnswersInWebhook = ["zoho-salesiq"];
    private const int MaxPendingDeskReplies = 20;

    public async Task CreateInDeskAsync(string agentId, string kind, string deskConversationId)
    {
        if (!S.Created)
        {
            await CreateAsync(agentId, kind, null, null);
            S.DeskConversationId = deskConversationId;
            await state.WriteStateAsync();
        }
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

    public async Task<DeskAnswer> TakeDeskAnswerAsync()
    {
        EnsureCreated();
        var answer = new DeskAnswer(S.PendingDeskReplies.ToList(), S.ForwardPending);
        if (answer.Replies.Count > 0 || answer.Forward)
        {
            S.PendingDeskReplies.Clear();
            S.ForwardPending = false;
            S.RecentDeskAnswers.AddRange(answer.Replies);
            S.RecentDeskAnswers.RemoveRange(0, Math.Max(0, S.RecentDeskAnswers.Count - MaxPendingDeskReplies));
            await state.WriteStateAsync();
        }

        return answer;
    }

    private bool InAnswerOnlyDesk => S.DeskConversationId is not null && AnswersInWebhook.Contains(S.Channel);

    /// <summary>The conversation is the desk's own: the desk's humans get it, and its webhooks find this hand-off by it.</summary>
    private async Task<DeskConversation> HandOverInDeskAsync(HelpDeskConnection connection, string deskConversationId)
    {
        if (InAnswerOnlyDesk)
        {
            // The forward travels in the webhook's answer, after the texts before it.
            S.ForwardPending = true;
            return new DeskConversation(deskConversationId, null);
        }

        // Service texts go into the desk before the hand-over, in the order the user should read them.
        await DeliverOutboxAsync();
        await HelpDesk.HandOverAsync(connection, deskConversationId);
        return new DeskConversation(deskConversationId, null);
    }

    [GeneratedRegex(@"^\W*(end|stop|no|quit|cancel|close)\b", RegexOptions.IgnoreCase)]
    private static partial Regex EndWords();
}
