using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Handoff.Benchmarks.Harness;
using Handoff.Benchmarks.Scenarios;
using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Contracts.Health;
using Handoff.HelpDesks.Webhook;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Handoff.Benchmarks;

/// <summary>Runs the chosen scenarios in an order that lets each baseline share its process with the scenario it anchors.</summary>
public sealed class Suite(BenchOptions options, Report report)
{
    private const double P99TargetMs = 100;

    private readonly RunSettings settings = options.Settings;
    private Relay.BareClients? bare;
    private SearchResult? b1;

    private bool Wants(params string[] ids) => ids.Any(options.Scenarios.Contains);

    public async Task RunAsync()
    {
        BareRelay? relay = null;
        try
        {
            if (Wants("b1"))
            {
                relay = await BareRelay.StartAsync();
                bare = await Relay.BareClients.StartAsync(relay, options.Conversations);
                Console.WriteLine($"B1 bare relay: {options.Conversations} SignalR clients, p99 target {P99TargetMs} ms");
                b1 = await RateSearch.FindMaxAsync("B1", P99TargetMs, settings, (_, due) => bare.SendAsync(due, null));
                AddRate("B1", "bare relay: POST → IHubContext → client, max rate at p99 ≤ 100 ms", b1, "msg/s");
            }

            if (Wants("s1", "s3", "s2", "t1")) await MemoryModeAsync();
            if (Wants("b3", "s1pg")) await PostgresModeAsync();
            if (Wants("m1", "b2")) await GrainsAsync();
            if (Wants("m2")) await ConnectionsAsync();
        }
        finally
        {
            if (bare is not null) await bare.DisposeAsync();
            if (relay is not null) await relay.DisposeAsync();
        }
    }

    // ----- memory mode: S1, S3, S2, T1 -----

    private async Task MemoryModeAsync()
    {
        await using var rig = await HandoffRig.StartAsync();
        var agentId = await rig.CreateAgentAsync(new { waitTimeoutSeconds = 86400, sessionTimeoutSeconds = 86400 });
        var conversations = await rig.OpenAsync(agentId, options.Conversations, handOff: true);
        await rig.GreetAsync(agentId, conversations);
        try
        {
            if (Wants("s1")) await InboundAsync("S1", rig, agentId, conversations, 0.5);
            if (Wants("s3")) await RejectAsync(rig, agentId, conversations);
            if (Wants("s2")) await OutboundAsync(rig, conversations);
            if (Wants("t1")) await TimeoutsAsync(rig);
        }
        finally
        {
            foreach (var c in conversations) await c.Hub.DisposeAsync();
        }
    }

    private async Task<SearchResult> InboundAsync(string id, HandoffRig rig, string agentId, List<BenchConversation> conversations, double ratioTarget)
    {
        Console.WriteLine($"{id} inbound: signed human replies → host → {conversations.Count} SignalR clients");
        var inbound = new Relay.Inbound(rig, agentId, conversations, id.ToLowerInvariant());
        var ack = new Latencies();
        var search = await RateSearch.FindMaxAsync(id, P99TargetMs, settings, (_, due) => inbound.SendAsync(due, ack));
        AddRate(id, "inbound: signed webhook → grain → recorded → client, max rate at p99 ≤ 100 ms", search, "msg/s");
        // Every step appends to the same few transcripts; the memory store scans a transcript on each append, so
        // the later steps of a search run against longer transcripts than the first ones.
        Console.WriteLine($"  {id}: {inbound.Sent} messages sent, {inbound.Sent / conversations.Count} per conversation by the end of the search");
        if (!settings.Smoke && b1?.Best is not null && search.Best is not null)
        {
            var ratio = search.MaxRate / b1.MaxRate;
            report.Add(new Figure(id + "/B1", $"{id} max rate as a share of B1", ratio, "×", $"≥ {ratioTarget}×", ratio >= ratioTarget));
        }

        if (settings.Smoke || search.Best is null)
        {
            report.Add(new Figure(id + " ack", $"webhook acknowledgement p99 ({(settings.Smoke ? "smoke step" : "all steps")})", ack.PercentileMs(99), "ms"));
            return search;
        }

        // The added latency: both paths at the same moderate rate, half of what S1 sustains.
        var half = Math.Max(1, search.MaxRate / 2);
        ack = new Latencies();
        var atHalf = await OpenLoop.RunAsync(half, settings.StepDuration, (_, due) => inbound.SendAsync(due, ack), settings.Timeout);
        Console.WriteLine($"  {id} @ {half:F0}/s (50 % of max): {RateSearch.Describe(atHalf)}; ack p99 {ack.PercentileMs(99):F1} ms");
        report.Add(new Figure(id + " @50%", $"end-to-end latency at {half:F0}/s (50 % of max)", atHalf.P50Ms, "ms p50", Detail: $"p99 {atHalf.P99Ms:F1} ms"));
        report.Add(new Figure(id + " ack", $"webhook acknowledgement p99 at {half:F0}/s", ack.PercentileMs(99), "ms"));
        if (bare is not null)
        {
            var baseline = await OpenLoop.RunAsync(half, settings.StepDuration, (_, due) => bare.SendAsync(due, null), settings.Timeout);
            Console.WriteLine($"  B1 @ {half:F0}/s (same rate): {RateSearch.Describe(baseline)}");
            report.Add(new Figure(id + " added", $"latency added over B1 at {half:F0}/s", atHalf.P50Ms - baseline.P50Ms, "ms p50",
                Detail: $"p99 +{atHalf.P99Ms - baseline.P99Ms:F1} ms (B1 p50 {baseline.P50Ms:F1} / p99 {baseline.P99Ms:F1} ms)"));
        }

        return search;
    }

    private async Task RejectAsync(HandoffRig rig, string agentId, List<BenchConversation> conversations)
    {
        Console.WriteLine("S3 reject: unsigned, wrong key, bad signature, stale signature, malformed body");
        var key = rig.ReceivingKeys[agentId];
        var wrongKey = agentId + ".AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
        var malformed = Encoding.UTF8.GetBytes("{\"conversation_id\": \"" + conversations[0].HandoffId + "\", \"body\": ");
        long counter = 0;
        var rejected = 0L;

        async Task Reject(long _, long __)
        {
            var n = Interlocked.Increment(ref counter);
            // Real hand-off ids, so that a request that slipped through would reach a conversation grain.
            var raw = JsonSerializer.SerializeToUtf8Bytes(new
            {
                conversation_id = conversations[(int)(n % conversations.Count)].HandoffId,
                timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                body = $"s3 {n} {Relay.Filler}",
                message_id = $"s3-{n}",
            });
            var (body, bearer, signature, expected) = (n % 5) switch
            {
                0 => (raw, (string?)null, (string?)null, 401),
                1 => (raw, wrongKey, WebhookSignature.Create(HandoffRig.SigningSecret, DateTimeOffset.UtcNow, raw), 401),
                2 => (raw, key, "t=" + DateTimeOffset.UtcNow.ToUnixTimeSeconds() + ",v1=" + new string('0', 64), 401),
                3 => (raw, key, WebhookSignature.Create(HandoffRig.SigningSecret, DateTimeOffset.UtcNow.AddHours(-1), raw), 401),
                _ => (malformed, key, WebhookSignature.Create(HandoffRig.SigningSecret, DateTimeOffset.UtcNow, malformed), 400),
            };
            using var response = await rig.SendRawAsync(body, bearer, signature);
            if ((int)response.StatusCode != expected) throw new HttpRequestException($"variant {n % 5} answered {(int)response.StatusCode}, expected {expected}", null, response.StatusCode);
            Interlocked.Increment(ref rejected);
        }

        var before = await Activations.CountAsync(rig.Grains);
        var search = await RateSearch.FindMaxAsync("S3", P99TargetMs, settings, Reject);
        var after = await Activations.CountAsync(rig.Grains);
        AddRate("S3", "reject: bad key / signature / body, max rate at p99 ≤ 100 ms", search, "req/s");
        var caused = after.Total - before.Total;
        report.Add(new Figure("S3 act", $"grain activations caused by {rejected} rejected webhooks", caused, "", "0", caused == 0,
            caused == 0 ? "IManagementGrain before/after" : Activations.Grown(before, after)));
        if (caused != 0) report.Problem($"S3: {rejected} rejected webhooks caused {caused} activations: {Activations.Grown(before, after)}");
    }

    private async Task OutboundAsync(HandoffRig rig, List<BenchConversation> conversations)
    {
        Console.WriteLine($"S2 outbound: user messages over SignalR → grain → outbox → desk, {conversations.Count} conversations");
        var byHandoff = conversations.ToDictionary(c => c.HandoffId!);
        var arrived = new ConcurrentDictionary<string, TaskCompletionSource>();
        long outOfOrder = 0;
        string? firstDisorder = null;
        rig.Desk.Chat = (handoffId, body) =>
        {
            if (!body.StartsWith("s2 ", StringComparison.Ordinal) || !byHandoff.TryGetValue(handoffId, out var c)) return;
            var n = long.Parse(body.Split(' ')[2]);
            // The outbox sends one at a time per conversation, so this runs in order for each of them.
            if (n != c.LastDelivered + 1)
            {
                Interlocked.Increment(ref outOfOrder);
                Interlocked.CompareExchange(ref firstDisorder, $"conversation {c.Index}: got {n} after {c.LastDelivered}", null);
            }

            c.LastDelivered = Math.Max(c.LastDelivered, n);
            if (arrived.TryRemove(body, out var source)) source.TrySetResult();
        };
        long counter = 0;

        async Task Send(long _, long __)
        {
            var c = conversations[(int)(Interlocked.Increment(ref counter) % conversations.Count)];
            // Numbered as the scheduler issues them; one connection's invocations reach the hub in this order.
            var n = Interlocked.Increment(ref c.Sent);
            var text = $"s2 {c.Index} {n} {Relay.Filler}";
            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived[text] = source;
            await c.Hub.InvokeAsync<JsonElement>("Send", text, $"s2-{c.Index}-{n}");
            await source.Task;
        }

        var search = await RateSearch.FindMaxAsync("S2", P99TargetMs, settings, Send, settle: () => Task.Delay(1500));
        rig.Desk.Chat = null;
        AddRate("S2", "outbound: SignalR Send → grain → outbox → desk, max rate at p99 ≤ 100 ms", search, "msg/s");
        if (!settings.Smoke && b1?.Best is not null && search.Best is not null)
        {
            report.Add(new Figure("S2/B1", "S2 max rate as a share of B1 (the same relay, the other way)", search.MaxRate / b1.MaxRate, "×"));
        }

        report.Add(new Figure("S2 order", "messages that reached the desk out of per-conversation order", outOfOrder, "", "0", outOfOrder == 0, firstDisorder));
        if (outOfOrder != 0) report.Problem($"S2: {outOfOrder} messages out of order, first {firstDisorder}");
    }

    private async Task TimeoutsAsync(HandoffRig rig)
    {
        var count = options.TimeoutConversations;
        // No SignalR client per conversation: 10,000 connections would exhaust the machine's file handles, and the
        // precision of a timeout is where it fires, in the grain (the prompt's own timestamp in the transcript).
        Console.WriteLine($"T1 timeout precision: {count} conversations waiting with waitTimeoutSeconds = 1 (requested over REST)");
        var agentId = await rig.CreateAgentAsync(new { waitTimeoutSeconds = 1, sessionTimeoutSeconds = 86400 });
        var prompt = (await rig.Grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId)).GetHandoffSettingsAsync())!.Texts.WaitTimeoutPrompt;
        var ids = await rig.OpenOverRestAsync(agentId, count, parallel: 32);

        var lateness = new Latencies();
        int early = 0, missing = 0, doubled = 0;
        var earliest = double.MaxValue;
        // The last ones opened need their second plus the prompt; past the second deadline a double prompt would show.
        await Task.Delay(3000);
        foreach (var id in ids)
        {
            var view = await rig.Grains.GetGrain<IConversationGrain>(id).GetAsync(50);
            var deadline = view.Handoff!.OpenedAt!.Value.AddSeconds(1);
            var prompts = view.Messages.Where(m => m.From == ChatMessage.System && m.Text == prompt).ToList();
            if (prompts.Count == 0)
            {
                missing++;
                continue;
            }

            if (prompts.Count > 1) doubled++;
            var late = (prompts[0].At - deadline).TotalMilliseconds;
            earliest = Math.Min(earliest, late);
            if (late < 0) early++;
            lateness.RecordMicros((long)Math.Max(1, late * 1000));
        }

        Console.WriteLine($"  T1: lateness p50 {lateness.PercentileMs(50):F1} ms p99 {lateness.PercentileMs(99):F1} ms max {lateness.MaxMs:F1} ms; early {early}, missing {missing}, fired twice {doubled}");
        report.Add(new Figure("T1", $"wait-timeout lateness in the grain (prompt timestamp − deadline), {count} conversations", lateness.PercentileMs(99), "ms p99", "≤ 1000 ms",
            lateness.PercentileMs(99) <= 1000 && early == 0 && missing == 0 && doubled == 0,
            $"p50 {lateness.PercentileMs(50):F1} ms, max {lateness.MaxMs:F1} ms; early {early}, missing {missing}, fired twice {doubled}"));
        if (early > 0) report.Problem($"T1: {early} timeouts fired early (earliest {earliest:F1} ms)");
        if (missing > 0) report.Problem($"T1: {missing} of {count} timeouts never fired");
        if (doubled > 0) report.Problem($"T1: {doubled} timeouts fired more than once");
    }

    private async Task PostgresModeAsync()
    {
        Console.WriteLine("starting a throwaway PostgreSQL (fsync off, as in the tests)");
        var server = await PostgresServer.GetAsync();
        if (Wants("b3"))
        {
            var connectionString = await server.CreateDatabaseAsync("bench");
            await using var data = NpgsqlDataSource.Create(connectionString);
            await using (var create = data.CreateCommand(
                "CREATE TABLE bench_messages (id bigserial PRIMARY KEY, conversation_id text NOT NULL, seq bigint NOT NULL, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())"))
            {
                await create.ExecuteNonQueryAsync();
            }

            long counter = 0;
            async Task Insert(long _, long __)
            {
                var n = Interlocked.Increment(ref counter);
                await using var insert = data.CreateCommand("INSERT INTO bench_messages (conversation_id, seq, body) VALUES ($1, $2, $3)");
                insert.Parameters.AddWithValue($"c{n % options.Conversations}");
                insert.Parameters.AddWithValue(n);
                insert.Parameters.AddWithValue($"b3 {n} {Relay.Filler}");
                await insert.ExecuteNonQueryAsync();
            }

            Console.WriteLine("B3 raw PostgreSQL: single-row inserts through Npgsql, pool of 50");
            var b3 = await RateSearch.FindMaxAsync("B3", P99TargetMs, settings, Insert);
            AddRate("B3", "raw PostgreSQL single-row INSERT, max rate at p99 ≤ 100 ms", b3, "rows/s");
        }

        if (Wants("s1pg"))
        {
            var connectionString = await server.CreateDatabaseAsync("handoff_bench");
            await using var rig = await HandoffRig.StartAsync(new()
            {
                ["Handoff:Storage"] = "postgres",
                ["ConnectionStrings:Handoff"] = connectionString,
                ["Handoff:Cluster:AdvertisedAddress"] = "127.0.0.1",
            });
            var agentId = await rig.CreateAgentAsync(new { waitTimeoutSeconds = 86400, sessionTimeoutSeconds = 86400 });
            var conversations = await rig.OpenAsync(agentId, options.Conversations, handOff: true);
            await rig.GreetAsync(agentId, conversations);
            try
            {
                await InboundAsync("S1pg", rig, agentId, conversations, 0.35);
            }
            finally
            {
                foreach (var c in conversations) await c.Hub.DisposeAsync();
            }
        }
    }

    // ----- grains: M1, B2 and the grain hop -----

    private async Task GrainsAsync()
    {
        await using var rig = await HandoffRig.StartAsync();
        var agentId = await rig.CreateAgentAsync(new { });
        var grains = rig.Grains;
        var count = options.MemoryConversations;
        var ids = Enumerable.Range(0, count).Select(i => "c" + Guid.NewGuid().ToString("N")).ToArray();

        async Task Populate(string id, int i)
        {
            var g = grains.GetGrain<IConversationGrain>(id);
            await g.CreateAsync(agentId, "widget", $"user{i}@example.com", $"user-{i}");
            // Realistic idle state: two user messages and the bot's answers.
            await g.SendUserMessageAsync("Hi, my order 12345 has not arrived yet.", $"u1-{i}");
            await g.SendUserMessageAsync("It was supposed to come on Monday, can you check?", $"u2-{i}");
        }

        // Warm the code paths and pools so the first conversations do not carry the JIT's bytes.
        for (var i = 0; i < 50; i++) await Populate("warm-" + i, i);
        if (Wants("m1"))
        {
            Console.WriteLine($"M1 memory per idle conversation: {count} conversations, 4 messages each");
            var before = Heap();
            var clock = Stopwatch.StartNew();
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) => await Populate(ids[i], i));
            var populated = clock.Elapsed;
            var after = Heap();
            var live = (await Activations.CountAsync(grains)).ByType.Where(kv => kv.Key.Contains("Conversation", StringComparison.OrdinalIgnoreCase)).Sum(kv => kv.Value);
            var perConversation = (after - before) / (double)count;
            Console.WriteLine($"  M1: heap {before / 1048576.0:F1} → {after / 1048576.0:F1} MiB, {live} conversation activations, populated in {populated.TotalSeconds:F1} s");
            report.Add(new Figure("M1", $"managed heap per idle conversation ({count} active, after full GC)", perConversation / 1024, "KiB", "≤ 10 KiB", perConversation <= 10 * 1024,
                $"{live} live conversation activations; memory mode, so the transcripts are in this heap too"));
            if (live < count) report.Problem($"M1: only {live} of {count} conversation activations are live");
            if (perConversation <= 0) report.Problem("M1: the heap did not grow");
        }

        if (Wants("b2"))
        {
            const int grainIds = 1000;
            Console.WriteLine($"B2 plain Orleans ping: stateless grain on {grainIds} ids; grain hop: a conversation grain read on {Math.Min(grainIds, count)} ids");
            long pings = 0, hops = 0;
            var b2 = await RateSearch.FindMaxAsync("B2", P99TargetMs, settings,
                async (_, _) => await grains.GetGrain<IHealthProbeGrain>("ping-" + Interlocked.Increment(ref pings) % grainIds).PingAsync());
            AddRate("B2", "plain Orleans ping (stateless grain, 1,000 ids), max rate at p99 ≤ 100 ms", b2, "calls/s");
            var hop = await RateSearch.FindMaxAsync("hop", P99TargetMs, settings,
                async (_, _) => await grains.GetGrain<IConversationGrain>(ids[Interlocked.Increment(ref hops) % Math.Min(grainIds, count)]).ResumeAsync(long.MaxValue - 1));
            AddRate("hop", "grain hop: conversation grain call (Resume, nothing new), max rate", hop, "calls/s");
            if (!settings.Smoke && b2.Best is not null && hop.Best is not null)
            {
                var ratio = hop.MaxRate / b2.MaxRate;
                report.Add(new Figure("hop/B2", "grain hop as a share of B2", ratio, "×", "≥ 0.8×", ratio >= 0.8));
            }
        }
    }

    // ----- M2: memory per idle SignalR connection, the host against the bare hub of B1 -----

    private async Task ConnectionsAsync()
    {
        var n = options.Connections;
        Console.WriteLine($"M2 memory per idle SignalR connection: {n} clients in a child process, server heap after full GC");
        ConnectionCost bareCost;
        await using (var relay = await BareRelay.StartAsync())
        {
            var hub = new Uri(relay.BaseAddress, "/hub").ToString();
            bareCost = await ConnectionMemory.MeasureAsync(Enumerable.Range(0, n).Select(i => new ClientTarget($"{hub}?group=g{i}", null, false)).ToList());
        }

        Console.WriteLine($"  bare hub (B1's app): {Describe(bareCost)}");
        await using var rig = await HandoffRig.StartAsync();
        var agentId = await rig.CreateAgentAsync(new { });
        // The conversations (and their grains) exist before the first heap reading: only the connections are counted.
        var conversations = await rig.CreateConversationsAsync(agentId, n);
        var url = new Uri(rig.Host.BaseAddress, "/hubs/chat").ToString();
        var cost = await ConnectionMemory.MeasureAsync(conversations.Select(c => new ClientTarget(url, c.Token, true)).ToList());
        Console.WriteLine($"  host /hubs/chat with Join: {Describe(cost)}");

        report.Add(new Figure("M2", $"server heap per idle SignalR connection to /hubs/chat after Join ({n} clients in a child process, after full GC)",
            cost.BytesPerConnection / 1024, "KiB", "no target", null,
            $"after the clients left the heap was {(cost.HeapAfterClose - cost.HeapBefore) / 1024.0:F0} KiB above its start"));
        report.Add(new Figure("M2 bare", $"the same for B1's bare hub (group join in OnConnected, no auth, no grain)",
            bareCost.BytesPerConnection / 1024, "KiB", Detail: $"after the clients left the heap was {(bareCost.HeapAfterClose - bareCost.HeapBefore) / 1024.0:F0} KiB above its start"));
        if (bareCost.BytesPerConnection > 0)
        {
            report.Add(new Figure("M2/bare", "host per-connection heap as a multiple of the bare hub's", cost.BytesPerConnection / bareCost.BytesPerConnection, "×", "(none; a ratio)"));
        }

        if (!settings.Smoke && cost.BytesPerConnection <= 0) report.Problem("M2: the server heap did not grow with the connections");
    }

    private static string Describe(ConnectionCost c) =>
        $"{c.Connections} connected in {c.ConnectTime.TotalSeconds:F1} s; heap {c.HeapBefore / 1048576.0:F1} → {c.HeapConnected / 1048576.0:F1} MiB " +
        $"({c.BytesPerConnection / 1024:F1} KiB per connection), {c.HeapAfterClose / 1048576.0:F1} MiB after they left";

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private void AddRate(string id, string what, SearchResult search, string unit)
    {
        report.Add(search);
        var best = search.Best;
        var failed = search.Steps.FirstOrDefault(s => !s.Passes(search.P99TargetMs));
        var detail = best is null
            ? $"no step passed (first: {RateSearch.Describe(search.Steps[0])}; {search.Steps[0].Why(search.P99TargetMs)})"
            : $"p50 {best.P50Ms:F1} / p99 {best.P99Ms:F1} ms at that rate; {search.Steps.Count} steps of {settings.StepDuration.TotalSeconds:0.#} s" +
              (search.HitCeiling && !settings.Smoke ? "; never failed: the real maximum is higher" : "") +
              (failed is not null && !settings.Smoke ? $"; first failure {failed.TargetRate:F0}/s: {failed.Why(search.P99TargetMs)}" : "");
        report.Add(new Figure(id, what, best?.AchievedRate ?? 0, unit, Detail: detail));
        if (settings.Smoke && (best is null || best.AchievedRate <= 0))
        {
            report.Problem($"{id}: the smoke step did not complete cleanly: {RateSearch.Describe(search.Steps[0])}");
        }
    }
}
