using Handoff.Contracts.Conversations;

namespace Handoff.Grains.Transcripts;

/// <summary>
/// The append-only transcript of every conversation: one row per message, so a message costs one insert
/// however long the conversation grows. Only the conversation grain writes its own rows.
/// </summary>
public interface ITranscriptStore
{
    Task<long> GetLastSeqAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>Messages in order, at most <paramref name="limit"/>, with <c>seq &gt; afterSeq</c>.</summary>
    Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string conversationId, long afterSeq, int limit, CancellationToken cancellationToken = default);

    /// <summary>The last <paramref name="count"/> messages, in order.</summary>
    Task<IReadOnlyList<ChatMessage>> ReadLastAsync(string conversationId, int count, CancellationToken cancellationToken = default);

    /// <summary>Appends; false when a message with the same dedupe key is already stored (nothing written).</summary>
    Task<bool> TryAppendAsync(string conversationId, ChatMessage message, string? dedupeKey, CancellationToken cancellationToken = default);

    Task<ChatMessage?> FindByDedupeKeyAsync(string conversationId, string dedupeKey, CancellationToken cancellationToken = default);
}
