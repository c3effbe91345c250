using Handoff.Core.Bots;
using Handoff.Core.Conversations;

namespace Handoff.Core.Tests;

public sealed class ConversationRulesTests
{
    [Theory]
    [InlineData("bob@example.com", true)]
    [InlineData("  anna.b+tag@mail.example.org ", true)]
    [InlineData("bob@localhost", false)]
    [InlineData("not an email", false)]
    [InlineData("Bob <bob@example.com>", false)]
    [InlineData("bob@@example.com", false)]
    [InlineData("", false)]
    public void Email_addresses_are_checked(string text, bool valid) => Assert.Equal(valid, EmailAddress.TryNormalize(text, out _));

    [Fact]
    public void History_is_the_last_n_messages_before_the_current_question_then_the_question()
    {
        (bool, long, string)[] dialogue = [(true, 1, "q1"), (false, 2, "a1"), (true, 4, "q2"), (false, 5, "a2"), (true, 7, "help")];

        var picked = HistoryWindow.Select(dialogue, currentQuestionSeq: 7, count: 3);

        Assert.Equal(["a1", "q2", "a2", "help"], picked.Select(p => p.Text));
        Assert.True(picked[^1].IsUser);
        Assert.Equal(["help"], HistoryWindow.Select(dialogue, 7, 0).Select(p => p.Text));
        Assert.Empty(HistoryWindow.Select([], null, 10));
    }

    [Theory]
    [InlineData("Can I talk to a human please?")]
    [InlineData("I want a real person")]
    [InlineData("get me an agent")]
    [InlineData("my BILLING is wrong")]
    public void The_builtin_bot_asks_for_a_hand_off_on_common_phrases_and_trigger_words(string text)
    {
        var turn = RuleBasedBot.Respond(text, "The user asks for a person, or is upset about billing.", handoffEnabled: true);
        Assert.True(turn.RequestsHandoff);
        Assert.NotNull(turn.Reason);
    }

    [Fact]
    public void The_builtin_bot_answers_other_messages_and_never_hands_off_when_disabled()
    {
        var hello = RuleBasedBot.Respond("hello", "billing", handoffEnabled: true);
        Assert.False(hello.RequestsHandoff);
        Assert.False(string.IsNullOrWhiteSpace(hello.Reply));

        Assert.False(RuleBasedBot.Respond("I want a human", "billing", handoffEnabled: false).RequestsHandoff);
        Assert.False(RuleBasedBot.Respond("what is the weather", "billing", handoffEnabled: true).RequestsHandoff);
    }
}
