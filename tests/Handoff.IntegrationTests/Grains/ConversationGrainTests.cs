using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Grains;
using Handoff.Grains.Agents;
using Handoff.Grains.Conversations;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Handoff.Testing;

namespace Handoff.IntegrationTests.Grains;

/// <summary>The conversation grain on a test silo: deadlines driven by a fake clock, failures injected at each step of a hand-off's start.</summary>
[Collection(ConversationGrainCollection.Name)]
public sealed class ConversationGrainTests(ConversationGrainCluster silo)
{
    private IGrainFactory Grains => silo.Grains;

    [Fact]
    public async Task The_wait_timeout_prompts_on_time_and_a_second_one_ends_the_hand_off_and_closes_the_desk()
    {
        var (agentId, desk) = await AgentAsync(AgentSettingsDefaults.Enabled with { WaitTimeoutSeconds = 60 });
        await using var _ = desk;
        var conversation = await ConversationAsync(agentId);

        Assert.Equal("waiting-for-human", (await conversation.RequestHandoffAsync("test")).Outcome);
        await desk.WaitForAsync("conversation/establish");

        silo.Clock.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(300); // a timer due now would have fired; none is
        Assert.Equal("waiting-for-human", (await conversation.GetAsync(0)).State);

        silo.Clock.Advance(TimeSpan.FromSeconds(2));
        await StateAsync(conversation, "wait-timeout-prompt");
        Assert.Equal(HandoffTexts.Defaults.WaitTimeoutPrompt, (await conversation.GetAsync(1)).Messages[0].Text);

        silo.Clock.Advance(TimeSpan.FromSeconds(61));
        await StateAsync(conversation, "bot");
        Assert.Equal("wait-timeout", (await conversation.GetAsync(0)).Handoff!.EndReason);
        Assert.Equal("TIMEOUT", (await desk.WaitForAsync("conversation/close")).Str("type"));
    }

    [Fact]
    public async Task The_session_timeout_counts_from_the_humans_last_message_and_stops_while_the_user_has_answered()
    {
        var (agentId, desk) = await AgentAsync(AgentSettingsDefaults.Enabled with { SessionTimeoutSeconds = 180 });
        await using var _ = desk;
        var conversation = await ConversationAsync(agentId);
        await conversation.RequestHandoffAsync("test");
        var handoffId = (await desk.WaitForAsync("conversation/establish")).Str("conversation_id")!;

        await HumanSaysAsync(conversation, handoffId, "Hi, Anna here.", "h1");
        Assert.Equal("with-human", (await conversation.GetAsync(0)).State);
        silo.Clock.Advance(TimeSpan.FromSeconds(170));
        await HumanSaysAsync(conversation, handoffId, "Still there?", "h2");
        silo.Clock.Advance(TimeSpan.FromSeconds(170));
        await Task.Delay(300);
        Assert.Equal("with-human", (await conversation.GetAsync(0)).State); // 340 s after the first, 170 s after the last

        await conversation.SendUserMessageAsync("yes, one moment", "u1");
        silo.Clock.Advance(TimeSpan.FromSeconds(1000));
        await Task.Delay(300);
        Assert.Equal("with-human", (await conversation.GetAsync(0)).State); // the user answered: the human's turn

        await HumanSaysAsync(conversation, handoffId, "Take your time.", "h3");
        silo.Clock.Advance(TimeSpan.FromSeconds(181));
        await StateAsync(conversation, "bot");
        Assert.Equal("session-timeout", (await conversation.GetAsync(0)).Handoff!.EndReason);
        Assert.Equal("TIMEOUT", (await desk.WaitForAsync("conversation/close")).Str("type"));
    }

    [Theory]
    [InlineData("the agent cannot be read")]
    [InlineData("the agent's time zone is unknown")]
    [InlineData("the hand-off link cannot be written")]
    [InlineData("the conversation's state cannot be written")]
    public async Task A_failure_at_a_step_of_the_hand_off_start_leaves_the_conversation_as_it_was_and_a_retry_works(string failure)
    {
        var settings = AgentSettingsDefaults.Enabled;
        var (agentId, desk) = await AgentAsync(settings);
        await using var _ = desk;
        var conversation = await ConversationAsync(agentId);
        var agent = Grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
        switch (failure)
        {
            case "the agent cannot be read":
                await silo.Cluster.DeactivateAsync(agent);
                silo.Faults.FailNextRead("agent");
                break;
            case "the agent's time zone is unknown":
                await agent.SetHandoffSettingsAsync(settings with { TimeZone = "Nowhere/Atlantis" });
                break;
            case "the hand-off link cannot be written":
                silo.Faults.FailNextWrite("handoff-link");
                break;
            default:
                silo.Faults.FailNextWrite("conversation");
                break;
        }

        await Assert.ThrowsAnyAsync<Exception>(() => conversation.RequestHandoffAsync("test"));

        var view = await conversation.GetAsync(10);
        Assert.Null(view.Handoff);
        Assert.Equal("bot", view.State);
        Assert.Equal(0, view.LastSeq);
        if (failure == "the agent's time zone is unknown")
        {
            await agent.SetHandoffSettingsAsync(settings); // the agent tells the conversation, which read the bad zone
        }

        // A ghost hand-off would send this to a desk conversation that was never opened.
        await conversation.SendUserMessageAsync("hello?", "u1");
        await UntilAsync(conversation, v => v.Messages.Any(m => m.From == ChatMessage.Bot), "the bot answers");
        Assert.Empty(desk.Calls);

        Assert.Equal("waiting-for-human", (await conversation.RequestHandoffAsync("test")).Outcome);
        var establish = await desk.WaitForAsync("conversation/establish");
        Assert.Equal(conversation.GetPrimaryKeyString(), establish.Body.GetProperty("user_info").GetProperty("anonymous_id").GetString());
        Assert.Single(desk.Calls);
    }

    [Fact]
    public async Task An_opening_that_was_saved_but_never_reached_the_desk_is_asked_again_with_the_same_hand_off_id()
    {
        var (agentId, desk) = await AgentAsync(AgentSettingsDefaults.Enabled);
        await using var _ = desk;
        var conversationId = "c" + Guid.NewGuid().ToString("N");
        // What a node leaves behind when it dies between saving the decision to open and the desk's answer.
        var storage = silo.Cluster.GetSiloServiceProvider(silo.Cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        await storage.WriteStateAsync("conversation", GrainId.Create("conversation", conversationId), new GrainState<ConversationState>(new ConversationState
        {
            Created = true, AgentId = agentId, Channel = "widget", Email = "bob@example.com", CreatedAt = silo.Clock.GetUtcNow(),
            Handoff = new HandoffRecord { HandoffId = "h-left-behind", State = "opening", RequestedAt = silo.Clock.GetUtcNow() },
        }));
        await silo.Grains.GetGrain<IHandoffLinkGrain>("h-left-behind").SetAsync(agentId, conversationId);

        var conversation = Grains.GetGrain<IConversationGrain>(conversationId);
        Assert.Equal("waiting-for-human", (await conversation.GetAsync(0)).State);
        var establish = await desk.WaitForAsync("conversation/establish");
        Assert.Equal("h-left-behind", establish.Str("conversation_id"));
        await UntilAsync(conversation, v => v.Handoff?.OpenedAt is not null && v.Messages.Any(m => m.Text == HandoffTexts.Defaults.Waiting), "the opening completes");
        Assert.Single(desk.Accepted("conversation/establish"));
    }

    [Fact]
    public async Task A_users_message_is_acknowledged_before_the_model_answers_and_the_conversation_answers_meanwhile()
    {
        var (agentId, desk) = await AgentAsync(AgentSettingsDefaults.Enabled);
        await using var _ = desk;
        await using var model = await FakeOpenAiServer.StartAsync();
        var release = new TaskCompletionSource();
        model.Gate = release.Task;
        model.Respond = _ => FakeOpenAiServer.Text("Here is your answer.");
        await Grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId)).SetBotSettingsAsync(
            new BotSettings(BotSettings.OpenAiCompatible, model.BaseUrl, "m", null, null, 30));
        var conversation = await ConversationAsync(agentId);

        var sent = await conversation.SendUserMessageAsync("where is my parcel?", "u1");
        Assert.Equal(1, sent.Seq);
        await Eventually.TrueAsync(() => !model.Requests.IsEmpty, "the model is asked");
        var meanwhile = await conversation.GetAsync(10); // the model is still thinking: the mailbox is free
        Assert.Equal([ChatMessage.User], meanwhile.Messages.Select(m => m.From));
        Assert.Equal(2, (await conversation.SendUserMessageAsync("hello?", "u2")).Seq);

        release.SetResult();
        await UntilAsync(conversation, v => v.Messages.Any(m => m.From == ChatMessage.Bot), "the bot answers");
        Assert.Equal("Here is your answer.", (await conversation.GetAsync(10)).Messages.First(m => m.From == ChatMessage.Bot).Text);
    }

    private async Task<(string AgentId, FakeWebhookDesk Desk)> AgentAsync(HandoffSettings settings)
    {
        var desk = await FakeWebhookDesk.StartAsync();
        var agentId = "g-" + Guid.NewGuid().ToString("N")[..12];
        var agent = Grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
        await agent.SetHandoffSettingsAsync(settings);
        await agent.SetHelpDeskAsync("webhook", new Dictionary<string, string> { ["url"] = desk.BaseUrl });
        await agent.SetHelpDeskStatusAsync(HelpDeskConnection.Available, "set by the test", silo.Clock.GetUtcNow());
        return (agentId, desk);
    }

    private async Task<IConversationGrain> ConversationAsync(string agentId)
    {
        var conversation = Grains.GetGrain<IConversationGrain>("c" + Guid.NewGuid().ToString("N"));
        await conversation.CreateAsync(agentId, "widget", "bob@example.com", null);
        return conversation;
    }

    private async Task HumanSaysAsync(IConversationGrain conversation, string handoffId, string text, string id) =>
        Assert.True(await conversation.ReceiveHumanEventAsync(new HumanEvent(handoffId, HumanEvent.Message, text, id, "Anna", silo.Clock.GetUtcNow())));

    private static Task StateAsync(IConversationGrain conversation, string state) => UntilAsync(conversation, v => v.State == state, "state " + state);

    private static async Task UntilAsync(IConversationGrain conversation, Func<ConversationView, bool> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition(await conversation.GetAsync(10)))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException(what + " did not happen; the state is " + (await conversation.GetAsync(0)).State);
            await Task.Delay(30);
        }
    }
}
