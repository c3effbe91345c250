using Handoff.Contracts.Conversations;
using Npgsql;

namespace Handoff.Grains.Transcripts;

/// <summary>The transcript in PostgreSQL table <c>handoff_messages</c> (deploy/sql/postgresql/05-handoff.sql).</summary>
public sealed class PostgresTranscriptStore(NpgsqlDataSource dataSource) : ITranscriptStore
{
    private const string Columns = "seq, id, sender, text, at, sender_name";

    public async Task<long> GetLastSeqAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT coalesce(max(seq), 0) FROM handoff_messages WHERE conversation_id = $1");
        command.Parameters.AddWithValue(conversationId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string conversationId, long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM handoff_messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3");
        command.Parameters.AddWithValue(conversationId);
        command.Parameters.AddWithValue(afterSeq);
        command.Parameters.AddWithValue(limit);
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<ChatMessage>> ReadLastAsync(string conversationId, int count, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT * FROM (SELECT {Columns} FROM handoff_messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2) last ORDER BY seq");
        command.Parameters.AddWithValue(conversationId);
        command.Parameters.AddWithValue(count);
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<bool> TryAppendAsync(string conversationId, ChatMessage message, string? dedupeKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO handoff_messages (conversation_id, seq, id, sender, text, at, sender_name, dedupe_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue(conversationId);
        command.Parameters.AddWithValue(message.Seq);
        command.Parameters.AddWithValue(message.Id);
        command.Parameters.AddWithValue(message.From);
        command.Parameters.AddWithValue(message.Text);
        command.Parameters.AddWithValue(message.At.UtcDateTime);
        command.Parameters.AddWithValue((object?)message.SenderName ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)dedupeKey ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<ChatMessage?> FindByDedupeKeyAsync(string conversationId, string dedupeKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM handoff_messages WHERE conversation_id = $1 AND dedupe_key = $2");
        command.Parameters.AddWithValue(conversationId);
        command.Parameters.AddWithValue(dedupeKey);
        return (await ReadAsync(command, cancellationToken)).FirstOrDefault();
    }

    private static async Task<IReadOnlyList<ChatMessage>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<ChatMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new ChatMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return list;
    }
}
