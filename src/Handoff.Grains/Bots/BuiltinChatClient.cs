using Handoff.Core.Bots;
using Microsoft.Extensions.AI;

namespace Handoff.Grains.Bots;

/// <summary>
/// The embedded rule-based bot as an <see cref="IChatClient"/>: it answers briefly, and calls the hand-off tool
/// (when offered) if the user asks for a person or says what the tool's description names.
/// </summary>
public sealed class BuiltinChatClient : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var tool = options?.Tools?.OfType<AIFunctionDeclaration>().FirstOrDefault(t => t.Name == HandoffTool.Name);
        var last = list.LastOrDefault();
        if (last is null || last.Role == ChatRole.Tool)
        {
            // After the tool ran the system texts already tell the user what happens next.
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "")));
        }

        var text = last.Text;
        if (tool is not null && RuleBasedBot.Matches(text, tool.Description) is { } reason)
        {
            var call = new FunctionCallContent("call_" + Guid.NewGuid().ToString("N")[..12], HandoffTool.Name,
                new Dictionary<string, object?> { ["reason"] = reason });
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])) { FinishReason = ChatFinishReason.ToolCalls });
        }

        var turn = RuleBasedBot.Respond(text, tool?.Description, handoffEnabled: tool is not null);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, turn.Reply ?? "")));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
