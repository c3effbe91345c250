namespace Handoff.Grains.Conversations;

/// <summary>Tuning of conversation grains (<c>Handoff:Conversations</c>).</summary>
public sealed class ConversationOptions
{
    /// <summary>
    /// After this long without a word from the human, a waiting or connected hand-off reads the desk's messages back
    /// (for desks whose webhooks may be lost) and shows what it missed.
    /// </summary>
    public TimeSpan ReconcileQuietPeriod { get; set; } = TimeSpan.FromSeconds(30);
}
