using Handoff.Core.Handoffs;
using Handoff.Core.Scheduling;

namespace Handoff.Core.Tests;

/// <summary>
/// The pure hand-off rules (<see cref="HandoffMachine.Decide"/>) against docs/api.md 2b, 4 and 4a: every transition and
/// every end reason, each asserting the new state and the exact effects in order.
/// </summary>
public sealed class HandoffMachineTests
{
    private const string Id = "h-1";
    private const string Mail = "bob@example.com";

    /// <summary>Tuesday 2026-11-24 10:00 UTC.</summary>
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Session = TimeSpan.FromSeconds(180);

    // The desk as seen from the conversation's channel.
    private static readonly DeskFacts FromOurChannel = new(Available: true, ChannelIsHelpDesk: false, ChannelIsThisDesk: false);
    private static readonly DeskFacts FromThisDesksMessenger = new(Available: true, ChannelIsHelpDesk: true, ChannelIsThisDesk: true);
    private static readonly DeskFacts FromAnotherDesksMessenger = new(Available: true, ChannelIsHelpDesk: true, ChannelIsThisDesk: false);

    // ---- builders ----

    private static HandoffPolicy Policy(bool enabled = true, bool helpDeskMode = false, DeskFacts? desk = null,
        TimeZoneInfo? zone = null, params ServicePeriod[] periods) =>
        new(enabled, helpDeskMode, Wait, Session, zone ?? TimeZoneInfo.Utc, periods, desk ?? FromOurChannel);

    private static HandoffPolicy HelpDeskMode(DeskFacts? desk = null) => Policy(helpDeskMode: true, desk: desk ?? FromThisDesksMessenger);

    private static HandoffAttempt Attempt(HandoffStage stage) => new(Id, stage, Now.AddMinutes(-10), CurrentQuestionSeq: 3, Reason: "billing",
        OpenedAt: stage is HandoffStage.WaitingForHuman or HandoffStage.WaitTimeoutPrompt or HandoffStage.WithHuman ? Now.AddMinutes(-9) : null,
        FirstHumanReplyAt: stage == HandoffStage.WithHuman ? Now.AddMinutes(-8) : null,
        DeskConversationId: stage is HandoffStage.AwaitingEmail or HandoffStage.Opening ? null : "desk-7");

    /// <summary>A conversation whose hand-off stands at <paramref name="stage"/>.</summary>
    private static HandoffState At(HandoffStage stage, DateTimeOffset? deadline = null, string? email = Mail, bool inDeskMessenger = false) =>
        new(Attempt(stage), deadline, email, null, inDeskMessenger);

    private static HandoffState Bot(string? email = null, bool inDeskMessenger = false) => new(Email: email, InDeskMessenger: inDeskMessenger);

    private static HandoffDecision Decide(HandoffState state, HandoffEvent e, HandoffPolicy? policy = null, DateTimeOffset? at = null) =>
        HandoffMachine.Decide(state, policy ?? Policy(), e, at ?? Now);

    private static HandoffRequested Request() => new(Id, "billing", 3);

    private static void AssertEffects(HandoffDecision decision, params HandoffEffect[] expected) => Assert.Equal(expected, decision.Effects);

    private static void AssertUnchanged(HandoffState before, HandoffDecision decision)
    {
        Assert.Equal(before, decision.State);
        Assert.Empty(decision.Effects);
    }

    /// <summary>The attempt ended now with <paramref name="reason"/>, deadline gone, the bot to be told.</summary>
    private static HandoffState EndedFrom(HandoffState before, EndReason reason) => before with
    {
        Handoff = before.Handoff! with { Stage = HandoffStage.Ended, EndedAt = Now, EndReason = reason },
        Deadline = null,
        EndReasonForBot = reason,
    };

    private static int T(string hhmm) => ClockTime.TryParse(hhmm, out var m) ? m : throw new ArgumentException(hhmm);

    /// <summary>A fixed zone five hours ahead of UTC (built in memory: no tz database read).</summary>
    private static readonly TimeZoneInfo PlusFive = TimeZoneInfo.CreateCustomTimeZone("Test/PlusFive", TimeSpan.FromHours(5), "Test/PlusFive", "Test/PlusFive");

    // ---- requests: refusals ----

    private static void AssertRefused(HandoffState before, HandoffDecision d, EndReason reason, ServiceText text)
    {
        var expected = before with
        {
            Handoff = new HandoffAttempt(Id, HandoffStage.Ended, Now, 3, "billing", EndedAt: Now, EndReason: reason),
        };
        Assert.Equal(expected, d.State);
        Assert.Null(d.State.Active);
        Assert.Null(d.State.EndReasonForBot);
        Assert.Equal(ChatState.Bot, d.State.ChatState);
        AssertEffects(d, new Say(text), new AnnounceState(ChatState.Bot, reason));
    }

    [Fact]
    public void A_request_while_hand_off_is_disabled_ends_at_once_as_disabled_and_says_unavailable()
    {
        var before = Bot();
        AssertRefused(before, Decide(before, Request(), Policy(enabled: false)), EndReason.Disabled, ServiceText.Unavailable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void In_channel_mode_a_request_from_a_desks_own_messenger_is_refused_as_wrong_channel(bool inDeskMessenger)
    {
        var before = Bot(Mail, inDeskMessenger);
        AssertRefused(before, Decide(before, Request(), Policy(desk: FromThisDesksMessenger)), EndReason.WrongChannel, ServiceText.Unavailable);
    }

    [Fact]
    public void In_help_desk_mode_a_request_from_our_own_channel_is_refused_as_wrong_channel()
    {
        var before = Bot(Mail);
        AssertRefused(before, Decide(before, Request(), HelpDeskMode(FromOurChannel)), EndReason.WrongChannel, ServiceText.Unavailable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void In_help_desk_mode_a_request_from_another_desks_messenger_is_refused_as_wrong_channel(bool inDeskMessenger)
    {
        var before = Bot(Mail, inDeskMessenger);
        AssertRefused(before, Decide(before, Request(), HelpDeskMode(FromAnotherDesksMessenger)), EndReason.WrongChannel, ServiceText.Unavailable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_desk_that_hands_over_only_in_its_own_widget_refuses_requests_from_our_channel_in_either_mode(bool helpDeskMode)
    {
        var before = Bot(Mail);
        var desk = FromOurChannel with { HandsOverOnlyInOwnWidget = true };
        AssertRefused(before, Decide(before, Request(), Policy(helpDeskMode: helpDeskMode, desk: desk)), EndReason.WrongChannel, ServiceText.Unavailable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_desk_that_hands_over_only_in_its_own_widget_accepts_requests_from_that_widget_in_either_mode(bool helpDeskMode)
    {
        var before = Bot(Mail);
        var desk = FromThisDesksMessenger with { HandsOverOnlyInOwnWidget = true };
        var d = Decide(before, Request(), Policy(helpDeskMode: helpDeskMode, desk: desk));

        Assert.Equal(before with { Handoff = new HandoffAttempt(Id, HandoffStage.Opening, Now, 3, "billing") }, d.State);
        AssertEffects(d, new RegisterHandoff(Id), new OpenDesk(Id));
    }

    [Fact]
    public void A_request_with_no_desk_connected_is_refused_as_helpdesk_unavailable()
    {
        var before = Bot(Mail);
        AssertRefused(before, Decide(before, Request(), Policy() with { Desk = null }), EndReason.HelpDeskUnavailable, ServiceText.Unavailable);
    }

    [Fact]
    public void A_request_while_the_desk_is_unavailable_is_refused_as_helpdesk_unavailable()
    {
        var before = Bot(Mail);
        AssertRefused(before, Decide(before, Request(), Policy(desk: FromOurChannel with { Available = false })),
            EndReason.HelpDeskUnavailable, ServiceText.Unavailable);
    }

    [Theory]
    [InlineData("2026-11-24T13:00:00Z")] // Tuesday 18:00 in the agent's zone (in service by UTC's clock)
    [InlineData("2026-11-24T03:59:00Z")] // Tuesday 08:59 in the agent's zone
    [InlineData("2026-11-28T08:00:00Z")] // Saturday 13:00 in the agent's zone, after the date's window
    [InlineData("2026-11-29T05:30:00Z")] // Sunday 10:30: the date rule is for Saturday only
    public void A_request_outside_the_service_periods_in_the_agents_time_zone_is_refused_as_off_hours(string at)
    {
        var before = Bot(Mail);
        var policy = Policy(zone: PlusFive, periods:
        [
            ServicePeriod.Weekly([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Friday], T("09:00"), T("17:30")),
            ServicePeriod.OnDate(new DateOnly(2026, 11, 28), T("10:00"), T("12:00")),
        ]);
        var now = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);

        var d = HandoffMachine.Decide(before, policy, Request(), now);

        Assert.Equal(before with { Handoff = new HandoffAttempt(Id, HandoffStage.Ended, now, 3, "billing", EndedAt: now, EndReason: EndReason.OffHours) }, d.State);
        Assert.Null(d.State.EndReasonForBot);
        AssertEffects(d, new Say(ServiceText.OffHoursReply), new AnnounceState(ChatState.Bot, EndReason.OffHours));
    }

    [Theory]
    [InlineData("2026-11-24T04:30:00Z")] // Tuesday 09:30 in the agent's zone (off hours by UTC's clock)
    [InlineData("2026-11-24T12:29:00Z")] // Tuesday 17:29
    [InlineData("2026-11-28T05:30:00Z")] // Saturday 10:30, inside the date's window
    public void A_request_inside_the_service_periods_in_the_agents_time_zone_is_accepted(string at)
    {
        var before = Bot(Mail);
        var policy = Policy(zone: PlusFive, periods:
        [
            ServicePeriod.Weekly([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Friday], T("09:00"), T("17:30")),
            ServicePeriod.OnDate(new DateOnly(2026, 11, 28), T("10:00"), T("12:00")),
        ]);
        var now = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);

        var d = HandoffMachine.Decide(before, policy, Request(), now);

        Assert.Equal(before with { Handoff = new HandoffAttempt(Id, HandoffStage.Opening, now, 3, "billing") }, d.State);
        AssertEffects(d, new RegisterHandoff(Id), new OpenDesk(Id));
    }

    [Fact]
    public void A_refusal_leaves_an_earlier_end_reason_for_the_bot_as_it_was()
    {
        var before = Bot(Mail) with { EndReasonForBot = EndReason.HumanEnded };
        var d = Decide(before, Request(), Policy(enabled: false));
        Assert.Equal(EndReason.HumanEnded, d.State.EndReasonForBot);
        AssertEffects(d, new Say(ServiceText.Unavailable), new AnnounceState(ChatState.Bot, EndReason.Disabled));
    }

    // ---- requests: accepted ----

    [Fact]
    public void An_accepted_request_without_a_known_email_registers_the_hand_off_and_asks_for_the_email()
    {
        var before = Bot();
        var d = Decide(before, Request());

        Assert.Equal(before with { Handoff = new HandoffAttempt(Id, HandoffStage.AwaitingEmail, Now, 3, "billing") }, d.State);
        Assert.Equal(ChatState.AwaitingEmail, d.State.ChatState);
        Assert.Null(d.State.Deadline);
        AssertEffects(d, new RegisterHandoff(Id), new Say(ServiceText.AskEmail), new AnnounceState(ChatState.AwaitingEmail, null));
    }

    [Fact]
    public void An_accepted_request_with_a_known_email_registers_the_hand_off_and_opens_the_desk_at_once()
    {
        var before = Bot(Mail);
        var d = Decide(before, Request());

        Assert.Equal(before with { Handoff = new HandoffAttempt(Id, HandoffStage.Opening, Now, 3, "billing") }, d.State);
        Assert.Equal(ChatState.WaitingForHuman, d.State.ChatState);
        AssertEffects(d, new RegisterHandoff(Id), new OpenDesk(Id));
    }

    [Fact]
    public void In_help_desk_mode_a_request_inside_the_desks_messenger_opens_the_desk_when_the_desk_named_an_email()
    {
        var before = Bot(Mail, inDeskMessenger: true);
        var d = Decide(before, Request(), HelpDeskMode());

        Assert.Equal(before with { Handoff = new HandoffAttempt(Id, HandoffStage.Opening, Now, 3, "billing") }, d.State);
        AssertEffects(d, new RegisterHandoff(Id), new OpenDesk(Id));
    }

    [Fact]
    public void In_help_desk_mode_a_request_inside_the_desks_messenger_asks_for_the_email_when_the_desk_named_none()
    {
        var before = Bot(inDeskMessenger: true);
        var d = Decide(before, Request(), HelpDeskMode());

        Assert.Equal(before with { Handoff = new HandoffAttempt(Id, HandoffStage.AwaitingEmail, Now, 3, "billing") }, d.State);
        AssertEffects(d, new RegisterHandoff(Id), new Say(ServiceText.AskEmail), new AnnounceState(ChatState.AwaitingEmail, null));
    }

    [Fact]
    public void A_new_request_after_an_ended_hand_off_starts_a_new_attempt()
    {
        var before = EndedFrom(At(HandoffStage.WithHuman), EndReason.HumanEnded);
        var d = Decide(before, new HandoffRequested("h-2", null, null));

        Assert.Equal(before with { Handoff = new HandoffAttempt("h-2", HandoffStage.Opening, Now) }, d.State);
        AssertEffects(d, new RegisterHandoff("h-2"), new OpenDesk("h-2"));
    }

    [Theory]
    [InlineData(HandoffStage.AwaitingEmail)]
    [InlineData(HandoffStage.Opening)]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WaitTimeoutPrompt)]
    [InlineData(HandoffStage.WithHuman)]
    public void A_second_request_while_a_hand_off_is_active_changes_nothing(HandoffStage stage)
    {
        var before = At(stage, Now.AddSeconds(30));
        AssertUnchanged(before, Decide(before, new HandoffRequested("h-2", "again", 9)));
    }

    // ---- user messages ----

    [Fact]
    public void A_user_message_in_bot_state_gets_a_bot_turn()
    {
        var before = Bot(Mail);
        var d = Decide(before, new UserWrote(5, "m-5", "hello"));
        Assert.Equal(before, d.State);
        AssertEffects(d, new RunBotTurn(5));
    }

    [Fact]
    public void A_user_message_after_an_ended_hand_off_gets_a_bot_turn()
    {
        var before = EndedFrom(At(HandoffStage.WithHuman), EndReason.SessionTimeout);
        var d = Decide(before, new UserWrote(12, "m-12", "thanks"));
        Assert.Equal(before, d.State);
        AssertEffects(d, new RunBotTurn(12));
    }

    [Fact]
    public void An_email_address_typed_while_awaiting_the_email_is_stored_normalised_and_opens_the_desk()
    {
        var before = At(HandoffStage.AwaitingEmail, email: null);
        var d = Decide(before, new UserWrote(4, "m-4", "  anna.b+tag@mail.example.org "));

        Assert.Equal(before with { Email = "anna.b+tag@mail.example.org", Handoff = before.Handoff! with { Stage = HandoffStage.Opening } }, d.State);
        AssertEffects(d, new OpenDesk(Id));
    }

    [Theory]
    [InlineData("not an email")]
    [InlineData("bob@localhost")]
    [InlineData("")]
    public void Anything_but_an_email_address_while_awaiting_the_email_says_invalid_email_and_nothing_else(string text)
    {
        var before = At(HandoffStage.AwaitingEmail, email: null);
        var d = Decide(before, new UserWrote(4, "m-4", text));
        Assert.Equal(before, d.State);
        AssertEffects(d, new Say(ServiceText.InvalidEmail));
    }

    [Theory]
    [InlineData(HandoffStage.Opening)]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WaitTimeoutPrompt)]
    public void A_user_message_while_waiting_for_a_human_is_forwarded_to_the_desk(HandoffStage stage)
    {
        var before = At(stage, Now.AddSeconds(30));
        var d = Decide(before, new UserWrote(6, "m-6", "still there?"));
        Assert.Equal(before, d.State);
        AssertEffects(d, new ForwardToDesk(Id, "m-6", "still there?"));
    }

    [Fact]
    public void A_user_message_with_the_human_is_forwarded_and_stops_the_session_timeout_until_the_human_writes_again()
    {
        var before = At(HandoffStage.WithHuman, Now.AddSeconds(100));
        var d = Decide(before, new UserWrote(8, "m-8", "my order is 42"));
        Assert.Equal(before with { Deadline = null }, d.State);
        AssertEffects(d, new ForwardToDesk(Id, "m-8", "my order is 42"));
    }

    [Fact]
    public void Inside_a_desks_messenger_a_user_message_while_waiting_is_not_forwarded_because_the_desk_has_it_already()
    {
        var before = At(HandoffStage.WaitingForHuman, Now.AddSeconds(30), inDeskMessenger: true);
        var d = Decide(before, new UserWrote(6, "m-6", "still there?"), HelpDeskMode());
        Assert.Equal(before, d.State);
        Assert.Empty(d.Effects);
    }

    [Fact]
    public void Inside_a_desks_messenger_a_user_message_with_the_human_is_not_forwarded_but_stops_the_session_timeout()
    {
        var before = At(HandoffStage.WithHuman, Now.AddSeconds(100), inDeskMessenger: true);
        var d = Decide(before, new UserWrote(8, "m-8", "my order is 42"), HelpDeskMode());
        Assert.Equal(before with { Deadline = null }, d.State);
        Assert.Empty(d.Effects);
    }

    [Theory]
    [InlineData("end")]
    [InlineData("No thanks")]
    [InlineData("  Stop.")]
    [InlineData("cancel it")]
    public void Inside_a_desks_messenger_ending_words_in_the_wait_prompt_end_the_hand_off_as_user_ended(string text)
    {
        var before = At(HandoffStage.WaitTimeoutPrompt, Now.AddSeconds(30), inDeskMessenger: true);
        var d = Decide(before, new UserWrote(9, "m-9", text), HelpDeskMode());

        Assert.Equal(EndedFrom(before, EndReason.UserEnded), d.State);
        AssertEffects(d, new CloseAtDesk(Id, DeskCloseType.UserClosed), new Say(ServiceText.Ended), new AnnounceState(ChatState.Bot, EndReason.UserEnded));
    }

    [Theory]
    [InlineData("I'll wait")]
    [InlineData("keep waiting")]
    [InlineData("nothing else to add, waiting")]
    public void Inside_a_desks_messenger_other_words_in_the_wait_prompt_keep_waiting_with_a_fresh_deadline(string text)
    {
        var before = At(HandoffStage.WaitTimeoutPrompt, Now.AddSeconds(30), inDeskMessenger: true);
        var d = Decide(before, new UserWrote(9, "m-9", text), HelpDeskMode());

        Assert.Equal(before with { Handoff = before.Handoff! with { Stage = HandoffStage.WaitingForHuman }, Deadline = Now + Wait }, d.State);
        AssertEffects(d, new AnnounceState(ChatState.WaitingForHuman, null));
    }

    // ---- e-mail ----

    [Theory]
    [InlineData(null)]
    [InlineData(HandoffStage.Opening)]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WithHuman)]
    public void An_email_given_outside_awaiting_email_is_only_stored(HandoffStage? stage)
    {
        var before = stage is { } s ? At(s, Now.AddSeconds(30), email: null) : Bot();
        var d = Decide(before, new EmailGiven("anna@example.org"));
        Assert.Equal(before with { Email = "anna@example.org" }, d.State);
        Assert.Empty(d.Effects);
    }

    [Fact]
    public void An_email_given_while_awaiting_it_is_stored_and_opens_the_desk()
    {
        var before = At(HandoffStage.AwaitingEmail, email: null);
        var d = Decide(before, new EmailGiven("anna@example.org"));
        Assert.Equal(before with { Email = "anna@example.org", Handoff = before.Handoff! with { Stage = HandoffStage.Opening } }, d.State);
        AssertEffects(d, new OpenDesk(Id));
    }

    // ---- the desk opens, or fails to ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_desk_opening_the_current_attempt_starts_the_wait_timer_and_tells_the_user_to_wait(bool readBack)
    {
        var before = At(HandoffStage.Opening);
        var d = Decide(before, new DeskOpened(Id, "desk-99", readBack));

        var expected = before with
        {
            Handoff = before.Handoff! with { Stage = HandoffStage.WaitingForHuman, OpenedAt = Now, DeskConversationId = "desk-99", ReadBackWhenQuiet = readBack },
            Deadline = Now + Wait,
        };
        Assert.Equal(expected, d.State);
        AssertEffects(d, new Say(ServiceText.Waiting), new AnnounceState(ChatState.WaitingForHuman, null));
    }

    [Fact]
    public void Inside_the_messenger_of_a_desk_that_answers_inside_its_webhook_the_opened_hand_off_has_no_wait_deadline()
    {
        var before = At(HandoffStage.Opening, inDeskMessenger: true);
        var d = Decide(before, new DeskOpened(Id, "desk-99", false), HelpDeskMode(FromThisDesksMessenger with { AnswersInsideWebhook = true }));

        var expected = before with
        {
            Handoff = before.Handoff! with { Stage = HandoffStage.WaitingForHuman, OpenedAt = Now, DeskConversationId = "desk-99" },
            Deadline = null,
        };
        Assert.Equal(expected, d.State);
        AssertEffects(d, new Say(ServiceText.Waiting), new AnnounceState(ChatState.WaitingForHuman, null));
    }

    [Fact]
    public void Outside_its_messenger_a_desk_that_answers_inside_its_webhook_still_gets_a_wait_deadline()
    {
        var before = At(HandoffStage.Opening);
        var d = Decide(before, new DeskOpened(Id, "desk-99", false), Policy(desk: FromOurChannel with { AnswersInsideWebhook = true }));
        Assert.Equal(Now + Wait, d.State.Deadline);
        AssertEffects(d, new Say(ServiceText.Waiting), new AnnounceState(ChatState.WaitingForHuman, null));
    }

    [Fact]
    public void The_desk_opening_or_failing_for_another_hand_off_id_changes_nothing()
    {
        var before = At(HandoffStage.Opening);
        AssertUnchanged(before, Decide(before, new DeskOpened("h-old", "desk-1", false)));
        AssertUnchanged(before, Decide(before, new DeskOpenFailed("h-old")));
    }

    [Theory]
    [InlineData(HandoffStage.AwaitingEmail)]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WaitTimeoutPrompt)]
    [InlineData(HandoffStage.WithHuman)]
    [InlineData(HandoffStage.Ended)]
    public void The_desk_opening_or_failing_outside_the_opening_stage_changes_nothing(HandoffStage stage)
    {
        var before = At(stage, stage == HandoffStage.Ended ? null : Now.AddSeconds(30));
        AssertUnchanged(before, Decide(before, new DeskOpened(Id, "desk-1", false)));
        AssertUnchanged(before, Decide(before, new DeskOpenFailed(Id)));
    }

    [Fact]
    public void With_no_hand_off_the_desk_opening_or_failing_changes_nothing()
    {
        var before = Bot(Mail);
        AssertUnchanged(before, Decide(before, new DeskOpened(Id, "desk-1", false)));
        AssertUnchanged(before, Decide(before, new DeskOpenFailed(Id)));
    }

    [Fact]
    public void A_failed_opening_ends_as_helpdesk_error_says_unavailable_and_neither_closes_at_the_desk_nor_tells_the_bot()
    {
        var before = At(HandoffStage.Opening);
        var d = Decide(before, new DeskOpenFailed(Id));

        Assert.Equal(before with { Handoff = before.Handoff! with { Stage = HandoffStage.Ended, EndedAt = Now, EndReason = EndReason.HelpDeskError } }, d.State);
        Assert.Null(d.State.EndReasonForBot);
        Assert.Null(d.State.Deadline);
        AssertEffects(d, new Say(ServiceText.Unavailable), new AnnounceState(ChatState.Bot, EndReason.HelpDeskError));
    }

    // ---- the wait-timeout prompt's answers ----

    [Fact]
    public void Keep_waiting_in_the_prompt_returns_to_waiting_with_a_fresh_deadline()
    {
        var before = At(HandoffStage.WaitTimeoutPrompt, Now.AddSeconds(20));
        var d = Decide(before, new KeepWaitingChosen());
        Assert.Equal(before with { Handoff = before.Handoff! with { Stage = HandoffStage.WaitingForHuman }, Deadline = Now + Wait }, d.State);
        AssertEffects(d, new AnnounceState(ChatState.WaitingForHuman, null));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(HandoffStage.AwaitingEmail)]
    [InlineData(HandoffStage.Opening)]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WithHuman)]
    [InlineData(HandoffStage.Ended)]
    public void Keep_waiting_outside_the_prompt_changes_nothing(HandoffStage? stage)
    {
        var before = stage is { } s ? At(s, s is HandoffStage.WaitingForHuman or HandoffStage.WithHuman ? Now.AddSeconds(20) : null) : Bot();
        AssertUnchanged(before, Decide(before, new KeepWaitingChosen()));
    }

    // ---- the user ends ----

    [Theory]
    [InlineData(HandoffStage.AwaitingEmail)]
    [InlineData(HandoffStage.Opening)]
    public void The_user_ending_before_the_desk_has_the_conversation_ends_as_user_ended_without_closing_at_the_desk(HandoffStage stage)
    {
        var before = At(stage);
        var d = Decide(before, new UserEndedHandoff());
        Assert.Equal(EndedFrom(before, EndReason.UserEnded), d.State);
        AssertEffects(d, new Say(ServiceText.Ended), new AnnounceState(ChatState.Bot, EndReason.UserEnded));
    }

    [Theory]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WaitTimeoutPrompt)]
    [InlineData(HandoffStage.WithHuman)]
    public void The_user_ending_a_hand_off_the_desk_has_ends_as_user_ended_and_closes_at_the_desk_as_user_closed(HandoffStage stage)
    {
        var before = At(stage, Now.AddSeconds(30));
        var d = Decide(before, new UserEndedHandoff());
        Assert.Equal(EndedFrom(before, EndReason.UserEnded), d.State);
        AssertEffects(d, new CloseAtDesk(Id, DeskCloseType.UserClosed), new Say(ServiceText.Ended), new AnnounceState(ChatState.Bot, EndReason.UserEnded));
    }

    [Fact]
    public void The_user_ending_with_no_active_hand_off_changes_nothing()
    {
        var before = EndedFrom(At(HandoffStage.WithHuman), EndReason.HumanEnded);
        AssertUnchanged(before, Decide(before, new UserEndedHandoff()));
        AssertUnchanged(Bot(), Decide(Bot(), new UserEndedHandoff()));
    }

    // ---- the human ----

    /// <summary>
    /// docs/api.md 4a lists humanJoined among the service texts that reach the user as system messages, and a human's first
    /// message is when the user is with the human: the user reads it, then the state push (as with <c>waiting</c>).
    /// </summary>
    private static HandoffEffect[] HumanJoinedEffects()
    {
        Assert.True(Enum.TryParse<ServiceText>("HumanJoined", out var humanJoined),
            "ServiceText has no HumanJoined, so docs/api.md 4a's humanJoined text never reaches the user when a human joins");
        return [new Say(humanJoined), new AnnounceState(ChatState.WithHuman, null)];
    }

    [Theory]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WaitTimeoutPrompt)]
    public void The_first_human_message_while_waiting_or_in_the_prompt_puts_the_user_with_the_human_and_starts_the_session_timer(HandoffStage stage)
    {
        var before = At(stage, Now.AddSeconds(20));
        var d = Decide(before, new HumanWrote());

        Assert.Equal(before with { Handoff = before.Handoff! with { Stage = HandoffStage.WithHuman, FirstHumanReplyAt = Now }, Deadline = Now + Session }, d.State);
        AssertEffects(d, HumanJoinedEffects());
    }

    [Fact]
    public void Inside_a_desk_messenger_the_first_human_message_is_announced_but_not_said_because_the_desk_shows_who_joined()
    {
        var before = At(HandoffStage.WaitingForHuman, Now.AddSeconds(20), inDeskMessenger: true);
        var d = Decide(before, new HumanWrote());

        Assert.Equal(HandoffStage.WithHuman, d.State.Handoff!.Stage);
        AssertEffects(d, new AnnounceState(ChatState.WithHuman, null));
    }

    [Fact]
    public void A_human_message_while_the_desk_is_still_opening_puts_the_user_with_the_human_and_marks_it_opened()
    {
        var before = At(HandoffStage.Opening);
        var d = Decide(before, new HumanWrote());

        Assert.Equal(before with { Handoff = before.Handoff! with { Stage = HandoffStage.WithHuman, FirstHumanReplyAt = Now, OpenedAt = Now }, Deadline = Now + Session }, d.State);
        AssertEffects(d, HumanJoinedEffects());
    }

    [Fact]
    public void A_later_human_message_moves_the_session_deadline_and_announces_nothing()
    {
        var before = At(HandoffStage.WithHuman, Now.AddSeconds(5));
        var d = Decide(before, new HumanWrote());
        Assert.Equal(before with { Deadline = Now + Session }, d.State);
        Assert.Empty(d.Effects);
    }

    [Fact]
    public void A_human_message_after_the_user_answered_starts_the_stopped_session_timer_again()
    {
        var withHuman = At(HandoffStage.WithHuman, Now.AddSeconds(5));
        var userAnswered = Decide(withHuman, new UserWrote(8, "m-8", "ok"), at: Now).State;
        Assert.Null(userAnswered.Deadline);

        var later = Now.AddMinutes(30);
        AssertUnchanged(userAnswered, Decide(userAnswered, new DeadlineReached(), at: later));
        var d = Decide(userAnswered, new HumanWrote(), at: later);
        Assert.Equal(userAnswered with { Deadline = later + Session }, d.State);
        Assert.Empty(d.Effects);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(HandoffStage.AwaitingEmail)]
    [InlineData(HandoffStage.Ended)]
    public void Human_messages_closes_and_misses_without_a_hand_off_at_the_desk_change_nothing(HandoffStage? stage)
    {
        var before = stage is { } s ? At(s) : Bot(Mail);
        AssertUnchanged(before, Decide(before, new HumanWrote()));
        AssertUnchanged(before, Decide(before, new HumanClosed()));
        AssertUnchanged(before, Decide(before, new DeskMissed()));
    }

    [Theory]
    [InlineData(HandoffStage.Opening)]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WaitTimeoutPrompt)]
    [InlineData(HandoffStage.WithHuman)]
    public void The_human_closing_ends_as_human_ended_without_closing_at_the_desk_again(HandoffStage stage)
    {
        var before = At(stage, Now.AddSeconds(30));
        var d = Decide(before, new HumanClosed());
        Assert.Equal(EndedFrom(before, EndReason.HumanEnded), d.State);
        AssertEffects(d, new Say(ServiceText.Ended), new AnnounceState(ChatState.Bot, EndReason.HumanEnded));
    }

    [Theory]
    [InlineData(HandoffStage.Opening)]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WaitTimeoutPrompt)]
    public void The_desk_missing_the_conversation_ends_as_wait_timeout_says_unavailable_and_closes_nothing(HandoffStage stage)
    {
        var before = At(stage, Now.AddSeconds(30));
        var d = Decide(before, new DeskMissed());
        Assert.Equal(EndedFrom(before, EndReason.WaitTimeout), d.State);
        AssertEffects(d, new Say(ServiceText.Unavailable), new AnnounceState(ChatState.Bot, EndReason.WaitTimeout));
    }

    // ---- deadlines ----

    [Theory]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WaitTimeoutPrompt)]
    [InlineData(HandoffStage.WithHuman)]
    public void A_deadline_not_yet_reached_changes_nothing(HandoffStage stage)
    {
        var before = At(stage, Now.AddTicks(1));
        AssertUnchanged(before, Decide(before, new DeadlineReached()));
    }

    [Theory]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WithHuman)]
    public void A_deadline_event_with_no_deadline_changes_nothing(HandoffStage stage)
    {
        var before = At(stage);
        AssertUnchanged(before, Decide(before, new DeadlineReached()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(45)]
    public void The_wait_deadline_passing_sends_the_wait_timeout_prompt_and_gives_the_user_another_wait(int secondsLate)
    {
        var before = At(HandoffStage.WaitingForHuman, Now.AddSeconds(-secondsLate));
        var d = Decide(before, new DeadlineReached());

        Assert.Equal(before with { Handoff = before.Handoff! with { Stage = HandoffStage.WaitTimeoutPrompt }, Deadline = Now + Wait }, d.State);
        Assert.Equal(ChatState.WaitTimeoutPrompt, d.State.ChatState);
        AssertEffects(d, new Say(ServiceText.WaitTimeoutPrompt), new AnnounceState(ChatState.WaitTimeoutPrompt, EndReason.WaitTimeout));
    }

    [Fact]
    public void The_prompt_deadline_passing_with_no_answer_ends_as_wait_timeout_and_closes_at_the_desk_as_timeout()
    {
        var before = At(HandoffStage.WaitTimeoutPrompt, Now.AddSeconds(-1));
        var d = Decide(before, new DeadlineReached());
        Assert.Equal(EndedFrom(before, EndReason.WaitTimeout), d.State);
        AssertEffects(d, new CloseAtDesk(Id, DeskCloseType.Timeout), new Say(ServiceText.Ended), new AnnounceState(ChatState.Bot, EndReason.WaitTimeout));
    }

    [Fact]
    public void The_session_deadline_passing_with_the_human_ends_as_session_timeout_and_closes_at_the_desk_as_timeout()
    {
        var before = At(HandoffStage.WithHuman, Now.AddSeconds(-1));
        var d = Decide(before, new DeadlineReached());
        Assert.Equal(EndedFrom(before, EndReason.SessionTimeout), d.State);
        AssertEffects(d, new CloseAtDesk(Id, DeskCloseType.Timeout), new Say(ServiceText.Ended), new AnnounceState(ChatState.Bot, EndReason.SessionTimeout));
    }

    [Theory]
    [InlineData(HandoffStage.WaitingForHuman)]
    [InlineData(HandoffStage.WaitTimeoutPrompt)]
    [InlineData(HandoffStage.WithHuman)]
    public void The_same_deadline_seen_twice_acts_once(HandoffStage stage)
    {
        var first = Decide(At(stage, Now.AddSeconds(-1)), new DeadlineReached());
        Assert.NotEmpty(first.Effects);
        AssertUnchanged(first.State, Decide(first.State, new DeadlineReached()));
    }

    [Fact]
    public void A_deadline_left_over_without_an_active_hand_off_is_cleared()
    {
        var ended = EndedFrom(At(HandoffStage.WithHuman), EndReason.HumanEnded) with { Deadline = Now.AddSeconds(-1) };
        var d = Decide(ended, new DeadlineReached());
        Assert.Equal(ended with { Deadline = null }, d.State);
        Assert.Empty(d.Effects);

        var bot = Bot(Mail) with { Deadline = Now.AddSeconds(-1) };
        var b = Decide(bot, new DeadlineReached());
        Assert.Equal(bot with { Deadline = null }, b.State);
        Assert.Empty(b.Effects);
    }

    [Theory]
    [InlineData(HandoffStage.AwaitingEmail)]
    [InlineData(HandoffStage.Opening)]
    public void A_deadline_left_over_before_the_desk_has_the_conversation_is_cleared_and_the_hand_off_goes_on(HandoffStage stage)
    {
        var before = At(stage, Now.AddSeconds(-1));
        var d = Decide(before, new DeadlineReached());
        Assert.Equal(before with { Deadline = null }, d.State);
        Assert.Empty(d.Effects);
    }

    // ---- the bot's note ----

    public static TheoryData<string, HandoffStage, HandoffEvent, EndReason> EndsThroughTheMachine => new()
    {
        { "user ends while awaiting e-mail", HandoffStage.AwaitingEmail, new UserEndedHandoff(), EndReason.UserEnded },
        { "user ends while opening", HandoffStage.Opening, new UserEndedHandoff(), EndReason.UserEnded },
        { "user ends while waiting", HandoffStage.WaitingForHuman, new UserEndedHandoff(), EndReason.UserEnded },
        { "user ends with the human", HandoffStage.WithHuman, new UserEndedHandoff(), EndReason.UserEnded },
        { "human closes", HandoffStage.WithHuman, new HumanClosed(), EndReason.HumanEnded },
        { "desk misses", HandoffStage.WaitingForHuman, new DeskMissed(), EndReason.WaitTimeout },
        { "prompt unanswered", HandoffStage.WaitTimeoutPrompt, new DeadlineReached(), EndReason.WaitTimeout },
        { "session times out", HandoffStage.WithHuman, new DeadlineReached(), EndReason.SessionTimeout },
    };

    [Theory]
    [MemberData(nameof(EndsThroughTheMachine))]
    public void Every_end_of_a_hand_off_leaves_its_reason_for_the_bot_and_the_bots_note_clears_it(string _, HandoffStage stage, HandoffEvent e, EndReason reason)
    {
        var ended = Decide(At(stage, Now.AddSeconds(-1)), e).State;
        Assert.Equal(reason, ended.Handoff!.EndReason);
        Assert.Equal(reason, ended.EndReasonForBot);

        var informed = Decide(ended, new BotInformed());
        Assert.Equal(ended with { EndReasonForBot = null }, informed.State);
        Assert.Empty(informed.Effects);
    }

    [Fact]
    public void The_bots_note_with_nothing_to_tell_changes_nothing()
    {
        var before = Bot(Mail);
        AssertUnchanged(before, Decide(before, new BotInformed()));
    }

    // ---- a whole run ----

    [Fact]
    public void A_whole_hand_off_from_request_to_session_timeout_follows_the_contract()
    {
        var policy = Policy();
        var t = Now;
        var s = Bot();
        HandoffDecision Step(HandoffEvent e, TimeSpan after)
        {
            t += after;
            var d = HandoffMachine.Decide(s, policy, e, t);
            s = d.State;
            return d;
        }

        Step(Request(), TimeSpan.Zero);
        Assert.Equal(ChatState.AwaitingEmail, s.ChatState);
        Step(new UserWrote(4, "m-4", Mail), TimeSpan.FromSeconds(5));
        Assert.Equal(HandoffStage.Opening, s.Handoff!.Stage);
        Step(new DeskOpened(Id, "desk-1", false), TimeSpan.FromSeconds(1));
        Assert.Equal(ChatState.WaitingForHuman, s.ChatState);
        Step(new DeadlineReached(), Wait);
        Assert.Equal(ChatState.WaitTimeoutPrompt, s.ChatState);
        Step(new KeepWaitingChosen(), TimeSpan.FromSeconds(10));
        Assert.Equal(ChatState.WaitingForHuman, s.ChatState);
        Step(new HumanWrote(), TimeSpan.FromSeconds(20));
        Assert.Equal(ChatState.WithHuman, s.ChatState);
        var end = Step(new DeadlineReached(), Session);

        Assert.Equal(ChatState.Bot, s.ChatState);
        Assert.Equal(new HandoffAttempt(Id, HandoffStage.Ended, Now, 3, "billing", OpenedAt: Now.AddSeconds(6), FirstHumanReplyAt: Now.AddSeconds(96),
            EndedAt: Now.AddSeconds(276), EndReason: EndReason.SessionTimeout, DeskConversationId: "desk-1"), s.Handoff);
        Assert.Equal(Mail, s.Email);
        AssertEffects(end, new CloseAtDesk(Id, DeskCloseType.Timeout), new Say(ServiceText.Ended), new AnnounceState(ChatState.Bot, EndReason.SessionTimeout));
    }

    // ---- wire names (docs/api.md 4 and 4a) ----

    [Theory]
    [InlineData(EndReason.UserEnded, "user-ended")]
    [InlineData(EndReason.HumanEnded, "human-ended")]
    [InlineData(EndReason.WaitTimeout, "wait-timeout")]
    [InlineData(EndReason.SessionTimeout, "session-timeout")]
    [InlineData(EndReason.OffHours, "off-hours")]
    [InlineData(EndReason.HelpDeskUnavailable, "helpdesk-unavailable")]
    [InlineData(EndReason.HelpDeskError, "helpdesk-error")]
    [InlineData(EndReason.Disabled, "disabled")]
    [InlineData(EndReason.WrongChannel, "wrong-channel")]
    public void Every_end_reason_has_its_wire_name_and_back(EndReason reason, string name)
    {
        Assert.Equal(name, HandoffNames.Of(reason));
        Assert.Equal(reason, HandoffNames.EndReasonOf(name));
    }

    [Fact]
    public void Every_end_reason_is_named_once_and_unknown_names_are_no_end_reason()
    {
        var names = Enum.GetValues<EndReason>().Select(HandoffNames.Of).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(9, names.Count);
        Assert.Null(HandoffNames.EndReasonOf(null));
        Assert.Null(HandoffNames.EndReasonOf("timeout"));
        Assert.Null(HandoffNames.EndReasonOf("User-Ended"));
    }

    [Theory]
    [InlineData(ChatState.Bot, "bot")]
    [InlineData(ChatState.AwaitingEmail, "awaiting-email")]
    [InlineData(ChatState.WaitingForHuman, "waiting-for-human")]
    [InlineData(ChatState.WaitTimeoutPrompt, "wait-timeout-prompt")]
    [InlineData(ChatState.WithHuman, "with-human")]
    public void Every_chat_state_has_its_wire_name(ChatState state, string name) => Assert.Equal(name, HandoffNames.Of(state));

    [Fact]
    public void Every_chat_state_is_named_once()
    {
        var names = Enum.GetValues<ChatState>().Select(HandoffNames.Of).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Theory]
    [InlineData(HandoffStage.AwaitingEmail, "awaiting-email", "awaiting-email")]
    [InlineData(HandoffStage.Opening, "waiting-for-human", "opening")]
    [InlineData(HandoffStage.WaitingForHuman, "waiting-for-human", "waiting-for-human")]
    [InlineData(HandoffStage.WaitTimeoutPrompt, "wait-timeout-prompt", "wait-timeout-prompt")]
    [InlineData(HandoffStage.WithHuman, "with-human", "with-human")]
    [InlineData(HandoffStage.Ended, "ended", "ended")]
    public void Every_stage_has_its_wire_name_and_its_stored_name_round_trips(HandoffStage stage, string wire, string stored)
    {
        Assert.Equal(wire, HandoffNames.Of(stage));
        Assert.Equal(stored, HandoffNames.Stored(stage));
        Assert.Equal(stage, HandoffNames.StageOf(stored));
    }

    [Fact]
    public void Every_stage_round_trips_through_its_stored_name()
    {
        foreach (var stage in Enum.GetValues<HandoffStage>())
        {
            Assert.Equal(stage, HandoffNames.StageOf(HandoffNames.Stored(stage)));
        }
    }

    [Theory]
    [InlineData(DeskCloseType.Timeout, "TIMEOUT")]
    [InlineData(DeskCloseType.UserClosed, "USER_CLOSED")]
    public void The_desk_close_types_have_their_wire_names(DeskCloseType type, string name) => Assert.Equal(name, HandoffNames.Of(type));

    [Fact]
    public void The_state_a_client_sees_follows_the_active_stage_and_is_bot_once_ended()
    {
        Assert.Equal(ChatState.Bot, Bot().ChatState);
        Assert.Equal(ChatState.AwaitingEmail, At(HandoffStage.AwaitingEmail).ChatState);
        Assert.Equal(ChatState.WaitingForHuman, At(HandoffStage.Opening).ChatState);
        Assert.Equal(ChatState.WaitingForHuman, At(HandoffStage.WaitingForHuman).ChatState);
        Assert.Equal(ChatState.WaitTimeoutPrompt, At(HandoffStage.WaitTimeoutPrompt).ChatState);
        Assert.Equal(ChatState.WithHuman, At(HandoffStage.WithHuman).ChatState);
        Assert.Equal(ChatState.Bot, At(HandoffStage.Ended).ChatState);
    }
}
