using Handoff.Contracts.Agents;
using Handoff.Core.Handoffs;
using Handoff.Grains.Agents;

namespace Handoff.Grains.Conversations;

/// <summary>
/// The agent's settings, bot and help-desk connection as one conversation activation uses them: read once and kept
/// until the agent says they changed (<see cref="Invalidate"/>). The agent forgets its listeners when it moves to
/// another node, so a snapshot older than <see cref="MaxAge"/> is read again as well.
/// </summary>
public sealed class AgentSnapshotCache(string conversationId, Func<IAgentGrain> agent, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private AgentSnapshot? current;
    private DateTimeOffset readAt;

    public async Task<AgentSnapshot> GetAsync()
    {
        var now = time.GetUtcNow();
        if (current is null || now - readAt > MaxAge)
        {
            current = await agent().GetSnapshotAsync(conversationId);
            readAt = now;
        }

        return current;
    }

    public void Invalidate(long version)
    {
        if (current is null || current.Version < version)
        {
            current = null;
        }
    }

    public async Task<HandoffSettings> SettingsAsync() => (await GetAsync()).Settings ?? AgentSettingsDefaults.Disabled;

    public static string Text(HandoffSettings settings, ServiceText text) => text switch
    {
        ServiceText.AskEmail => settings.Texts.AskEmail,
        ServiceText.InvalidEmail => settings.Texts.InvalidEmail,
        ServiceText.Waiting => settings.Texts.Waiting,
        ServiceText.WaitTimeoutPrompt => settings.Texts.WaitTimeoutPrompt,
        ServiceText.HumanJoined => settings.Texts.HumanJoined,
        ServiceText.Ended => settings.Texts.Ended,
        ServiceText.OffHoursReply => settings.OffHoursReply,
        _ => settings.Texts.Unavailable,
    };
}
