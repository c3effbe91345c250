using Handoff.Contracts.Agents;
using Handoff.Core.Bots;

namespace Handoff.Grains.Bots;

/// <summary>The bot that answers while no human holds the conversation; the LLM-driven bot plugs in here later.</summary>
public interface IConversationBot
{
    Task<BotTurn> RespondAsync(string agentId, string userText, HandoffSettings? settings, CancellationToken cancellationToken);
}

/// <summary>The embedded rule-based bot (<see cref="RuleBasedBot"/>).</summary>
public sealed class BuiltinConversationBot : IConversationBot
{
    public Task<BotTurn> RespondAsync(string agentId, string userText, HandoffSettings? settings, CancellationToken cancellationToken) =>
        Task.FromResult(RuleBasedBot.Respond(userText, settings?.TriggerDescription, settings?.Enabled ?? false));
}
