using Handoff.Contracts.Conversations;

namespace Handoff.Grains.Transcripts;

/// <summary>The transcript of the embedded default: in this process only, gone when it stops.</summary>
public sealed class MemoryTranscriptStore : ITranscriptStore
{
    private readonly Dictionary<string, Transcript> transcripts = new();

    public Task<long> GetLastSeqAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        var t = Get(conversationId);
        lock (t) return Task.FromResult(t.Messages.Count == 0 ? 0 : t.Messages[^1].Seq);
    }

    public Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string conversationId, long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        var t = Get(conversationId);
        lock (t)
        {
            // Messages are kept in seq order: find the first one after afterSeq without walking the whole transcript.
            int low = 0, high = t.Messages.Count;
            while (low < high)
            {
                var mid = (low + high) / 2;
                if (t.Messages[mid].Seq <= afterSeq) low = mid + 1; else high = mid;
            }

            return Task.FromResult<IReadOnlyList<ChatMessage>>(t.Messages.GetRange(low, Math.Min(limit, t.Messages.Count - low)));
        }
    }

    public Task<IReadOnlyList<ChatMessage>> ReadLastAsync(string conversationId, int count, CancellationToken cancellationToken = default)
    {
        var t = Get(conversationId);
        lock (t) return Task.FromResult<IReadOnlyList<ChatMessage>>(t.Messages.Skip(Math.Max(0, t.Messages.Count - count)).ToList());
    }

    public Task<bool> TryAppendAsync(string conversationId, ChatMessage message, string? dedupeKey, CancellationToken cancellationToken = default)
    {
        var t = Get(conversationId);
        lock (t)
        {
            // Seqs only grow, so a taken seq is one at or below the last: no scan of the transcript per message.
            if ((dedupeKey is not null && t.ByKey.ContainsKey(dedupeKey)) || (t.Messages.Count > 0 && t.Messages[^1].Seq >= message.Seq))
            {
                return Task.FromResult(false);
            }

            t.Messages.Add(message);
            if (dedupeKey is not null)
            {
                t.ByKey[dedupeKey] = message;
            }

            return Task.FromResult(true);
        }
    }

    public Task<ChatMessage?> FindByDedupeKeyAsync(string conversationId, string dedupeKey, CancellationToken cancellationToken = default)
    {
        var t = Get(conversationId);
        lock (t) return Task.FromResult(t.ByKey.GetValueOrDefault(dedupeKey));
    }

    private Transcript Get(string conversationId)
    {
        lock (transcripts)
        {
            if (!transcripts.TryGetValue(conversationId, out var t))
            {
                transcripts[conversationId] = t = new Transcript();
            }

            return t;
        }
    }

    private sealed class Transcript
    {
        public List<ChatMessage> Messages { get; } = [];
        public Dictionary<string, ChatMessage> ByKey { get; } = new();
    }
}
