using Handoff.Host.Hosting;
using Handoff.Testing;
using Npgsql;

namespace Handoff.IntegrationTests.Storage;

public sealed class SchemaTests
{
    private static readonly string[] ProviderQueryKeys =
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    [Fact]
    public async Task The_scripts_apply_twice_to_an_empty_database_and_register_every_query_the_providers_read()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("schema");

        await PostgresSchema.ApplyAsync(connectionString);
        await PostgresSchema.ApplyAsync(connectionString);

        var keys = await QueryAsync(connectionString, "SELECT QueryKey FROM OrleansQuery", r => r.GetString(0));
        Assert.Equal(ProviderQueryKeys.Order(), keys.Order());
    }

    [Fact]
    public async Task The_reminder_table_has_a_wide_grain_id_and_an_index_on_the_grain_hash()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("schema");
        await PostgresSchema.ApplyAsync(connectionString);

        var width = await QueryAsync(connectionString,
            "SELECT character_maximum_length FROM information_schema.columns WHERE table_name = 'orleansreminderstable' AND column_name = 'grainid'",
            r => r.GetInt32(0));
        Assert.True(width.Single() >= 1000, $"GrainId is only {width.Single()} characters wide");

        var indexes = await QueryAsync(connectionString,
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'orleansreminderstable'", r => r.GetString(0));
        Assert.Contains(indexes, d => d.Contains("(serviceid, grainhash)", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_storage_table_refuses_a_second_row_for_the_same_grain_state()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("schema");
        await PostgresSchema.ApplyAsync(connectionString);
        const string insert = """
            INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, Version)
            VALUES (1, 0, 0, 2, 'state', 'key', 'svc', 1)
            """;
        await ExecuteAsync(connectionString, insert);

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connectionString, insert));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<List<T>> QueryAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
