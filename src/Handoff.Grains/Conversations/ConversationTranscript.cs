using System.Security.Cryptography;
using System.Text;
using Handoff.Contracts.Conversations;
using Handoff.Grains.Transcripts;

namespace Handoff.Grains.Conversations;

/// <summary>
/// A conversation's messages as its activation sees them: numbers each new one (<c>seq</c>), appends it once to the
/// transcript store (a repeated dedupe key answers the stored message), and keeps the last <see cref="Window"/> in
/// memory so a join, a resume or a dedupe check rarely reads the database.
/// </summary>
public sealed class ConversationTranscript(string conversationId, ITranscriptStore store, TimeProvider time)
{
    public const int Window = ConversationLimits.JoinWindow;
    private readonly List<ChatMessage> recent = [];

    public long LastSeq { get; private set; }

    public IReadOnlyList<ChatMessage> Recent => recent;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        LastSeq = await store.GetLastSeqAsync(conversationId, cancellationToken);
        recent.AddRange(await store.ReadLastAsync(conversationId, Window, cancellationToken));
    }

    /// <returns>The stored message, and whether it was stored before (same dedupe key).</returns>
    public async Task<(ChatMessage Message, bool Duplicate)> AppendAsync(string from, string text, string? senderName, string? dedupeKey, string? id = null)
    {
        var message = new ChatMessage(LastSeq + 1, id ?? NewId("m"), from, text, time.GetUtcNow(), senderName);
        if (!await store.TryAppendAsync(conversationId, message, dedupeKey))
        {
            var existing = dedupeKey is null ? null : await store.FindByDedupeKeyAsync(conversationId, dedupeKey);
            return existing is not null
                ? (existing, true)
                : throw new InvalidOperationException($"message {message.Seq} of {conversationId} was written by someone else");
        }

        LastSeq = message.Seq;
        recent.Add(message);
        if (recent.Count > Window)
        {
            recent.RemoveAt(0);
        }

        return (message, false);
    }

    public IReadOnlyList<ChatMessage> Last(int count) => recent.Skip(Math.Max(0, recent.Count - Math.Clamp(count, 0, Window))).ToList();

    public async Task<IReadOnlyList<ChatMessage>> AfterAsync(long afterSeq, int limit)
    {
        if (afterSeq >= LastSeq)
        {
            return [];
        }

        if (recent.Count > 0 && recent[0].Seq <= afterSeq + 1)
        {
            return recent.Where(m => m.Seq > afterSeq).Take(limit).ToList();
        }

        return await store.ReadAfterAsync(conversationId, Math.Max(0, afterSeq), limit);
    }

    /// <summary>The user and bot messages of the whole conversation, in order (the history a desk receives is picked from them).</summary>
    public async Task<IReadOnlyList<ChatMessage>> DialogueAsync()
    {
        var source = recent.Count > 0 && recent[0].Seq == 1 ? recent : await store.ReadLastAsync(conversationId, 10_000);
        return source.Where(m => m.From is ChatMessage.User or ChatMessage.Bot).ToList();
    }

    /// <summary>Whether a message with this dedupe key is stored; the database is asked only beyond the cached window.</summary>
    public async Task<bool> IsStoredAsync(string dedupeKey)
    {
        var messageId = StableId(dedupeKey);
        if (recent.Any(m => m.Id == messageId))
        {
            return true;
        }

        var cacheHoldsAll = recent.Count == 0 ? LastSeq == 0 : recent[0].Seq == 1;
        return !cacheHoldsAll && await store.FindByDedupeKeyAsync(conversationId, dedupeKey) is not null;
    }

    /// <summary>The message id of an event the desk may send twice: the same key always gives the same id.</summary>
    public static string StableId(string dedupeKey) =>
        "m" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dedupeKey)))[..24];

    public static string NewId(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
