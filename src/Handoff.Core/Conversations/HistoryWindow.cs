namespace Handoff.Core.Conversations;

/// <summary>Picks what a help-desk receives when a hand-off opens: up to N user/bot messages, then the current question.</summary>
public static class HistoryWindow
{
    /// <param name="dialogue">User and bot messages in order (no system texts), as (isUser, seq, text).</param>
    /// <param name="currentQuestionSeq">The user message that led to the hand-off, if any.</param>
    public static IReadOnlyList<(bool IsUser, string Text)> Select(
        IReadOnlyList<(bool IsUser, long Seq, string Text)> dialogue, long? currentQuestionSeq, int count)
    {
        var before = dialogue.Where(m => currentQuestionSeq is null || m.Seq < currentQuestionSeq).ToList();
        var result = before.Skip(Math.Max(0, before.Count - count)).Select(m => (m.IsUser, m.Text)).ToList();
        if (currentQuestionSeq is { } seq && dialogue.FirstOrDefault(m => m.Seq == seq) is { IsUser: true } question)
        {
            result.Add((true, question.Text));
        }

        return result;
    }
}
