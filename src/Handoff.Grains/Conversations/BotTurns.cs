using System.Text.Json;
using Handoff.Contracts.Agents;
using Handoff.Grains.Bots;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using AiMessage = Microsoft.Extensions.AI.ChatMessage;
using ChatMessage = Handoff.Contracts.Conversations.ChatMessage;

namespace Handoff.Grains.Conversations;

/// <summary>What the bot made of one user message; the conversation takes it as a call of its own, in its mailbox.</summary>
/// <param name="AsksForHuman">The model called the hand-off tool (with <paramref name="Reason"/>).</param>
[GenerateSerializer, Immutable, Alias("handoff.bot-answer")]
public sealed record BotAnswer(
    [property: Id(0)] long ForSeq,
    [property: Id(1)] string? Text,
    [property: Id(2)] bool Failed,
    [property: Id(3)] bool AsksForHuman = false,
    [property: Id(4)] string? Reason = null);

/// <summary>The conversation's side door for its own bot turns: the model's answers come back through the mailbox.</summary>
[Alias("handoff.conversation-bot-turns")]
public interface IConversationBotTurns : IGrainWithStringKey
{
    /// <returns>For a hand-off request, the outcome the model is told; otherwise null.</returns>
    [Alias("take-bot-answer")] Task<string?> TakeBotAnswerAsync(BotAnswer answer);
}

/// <summary>
/// Runs the bot's turns of one conversation, one after another in the order of the user's messages, outside the
/// conversation's mailbox: the user's message is acknowledged first, and a slow model (up to 120 s) never holds up
/// pushes, joins or the human's messages. The model sees the system prompt, a note when a human handled part of the
/// conversation, and the recent dialogue; it may call the hand-off tool.
/// </summary>
public sealed class BotTurns(
    Grain grain,
    BotChatClients bots,
    AgentSnapshotCache agent,
    ConversationTranscript transcript,
    Func<string?> endReasonForBot,
    ILogger logger)
{
    private const int ContextMessages = 20;
    private readonly Queue<long> pending = new();
    private readonly List<(long Seq, TaskCompletionSource Done)> waiters = [];
    private bool running;
    private long lastQueued;

    public void Enqueue(long seq)
    {
        pending.Enqueue(seq);
        lastQueued = seq;
        if (!running)
        {
            running = true;
            _ = RunAsync();
        }
    }

    /// <summary>Completes when the bot has answered every user message up to <paramref name="seq"/>.</summary>
    public Task WhenAnsweredAsync(long seq)
    {
        if (!running || seq > lastQueued)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiters.Add((seq, done));
        return done.Task;
    }

    private async Task RunAsync()
    {
        // The turn that queued this has ended: the answers are new calls, not part of its call chain.
        RequestContext.Clear();
        try
        {
            while (pending.TryDequeue(out var seq))
            {
                try
                {
                    await TurnAsync(seq);
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "A bot turn of {ConversationId} could not be completed", grain.GetPrimaryKeyString());
                }

                Release(seq);
            }
        }
        finally
        {
            running = false;
            Release(long.MaxValue);
        }
    }

    private void Release(long upTo)
    {
        foreach (var w in waiters.Where(w => w.Seq <= upTo).ToList())
        {
            waiters.Remove(w);
            w.Done.TrySetResult();
        }
    }

    private async Task TurnAsync(long seq)
    {
        var self = grain.AsReference<IConversationBotTurns>();
        var snapshot = await agent.GetAsync();
        var botSettings = snapshot.Bot ?? BotSettings.Default;
        var client = bots.For(botSettings);
        var context = ModelContext(botSettings, seq);
        var options = new ChatOptions();
        if (snapshot.Settings is { Enabled: true } settings)
        {
            options.Tools = [HandoffTool.Declaration(settings.TriggerDescription)];
            options.ToolMode = ChatToolMode.Auto;
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(botSettings.TimeoutSeconds));
        ChatResponse response;
        try
        {
            response = await client.GetResponseAsync(context, options, limit.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning("The bot of conversation {ConversationId} failed: {Cause}", grain.GetPrimaryKeyString(), ex.GetType().Name + ": " + ex.Message);
            await self.TakeBotAnswerAsync(new BotAnswer(seq, null, Failed: true));
            return;
        }

        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().FirstOrDefault(c => c.Name == HandoffTool.Name);
        if (call is null)
        {
            var text = response.Text is { Length: > 0 } reply ? reply.Trim() : null;
            await self.TakeBotAnswerAsync(new BotAnswer(seq, text, Failed: text is null));
            return;
        }

        var reason = call.Arguments is { } args && args.TryGetValue("reason", out var r) ? r?.ToString() : null;
        var outcome = await self.TakeBotAnswerAsync(new BotAnswer(seq, null, false, AsksForHuman: true, reason));
        context.AddRange(response.Messages);
        context.Add(new AiMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, JsonSerializer.Serialize(new { outcome }))]));
        try
        {
            var after = await client.GetResponseAsync(context, options, limit.Token);
            if (after.Text is { Length: > 0 } text)
            {
                await self.TakeBotAnswerAsync(new BotAnswer(seq, text.Trim(), false));
            }
        }
        catch (Exception ex)
        {
            // The hand-off already follows its own path; only the model's closing words are lost.
            logger.LogWarning(ex, "The bot of conversation {ConversationId} failed after the hand-off tool ran", grain.GetPrimaryKeyString());
        }
    }

    private List<AiMessage> ModelContext(BotSettings botSettings, long upToSeq)
    {
        var context = new List<AiMessage>();
        if (botSettings.SystemPrompt is { Length: > 0 } prompt)
        {
            context.Add(new AiMessage(ChatRole.System, prompt));
        }

        if (endReasonForBot() is { } ended)
        {
            context.Add(new AiMessage(ChatRole.System,
                $"A human from the support team handled part of this conversation; that hand-off has ended ({ended}). You may answer the user again."));
        }

        foreach (var m in transcript.Recent.Where(m => m.Seq <= upToSeq && (m.From is ChatMessage.User or ChatMessage.Bot)).TakeLast(ContextMessages))
        {
            context.Add(new AiMessage(m.From == ChatMessage.User ? ChatRole.User : ChatRole.Assistant, m.Text));
        }

        return context;
    }
}
