using System.Collections.Frozen;

namespace Handoff.Core.Handoffs;

/// <summary>The wire names of the hand-off's enums, as the public contract (docs/api.md) spells them.</summary>
public static class HandoffNames
{
    public static string Of(HandoffStage stage) => stage switch
    {
        HandoffStage.AwaitingEmail => "awaiting-email",
        // The user has been told a person was asked for; the desk call is an internal step of that.
        HandoffStage.Opening or HandoffStage.WaitingForHuman => "waiting-for-human",
        HandoffStage.WaitTimeoutPrompt => "wait-timeout-prompt",
        HandoffStage.WithHuman => "with-human",
        _ => "ended",
    };

    public static string Of(ChatState state) => state switch
    {
        ChatState.AwaitingEmail => "awaiting-email",
        ChatState.WaitingForHuman => "waiting-for-human",
        ChatState.WaitTimeoutPrompt => "wait-timeout-prompt",
        ChatState.WithHuman => "with-human",
        _ => "bot",
    };

    public static string Of(EndReason reason) => reason switch
    {
        EndReason.UserEnded => "user-ended",
        EndReason.HumanEnded => "human-ended",
        EndReason.WaitTimeout => "wait-timeout",
        EndReason.SessionTimeout => "session-timeout",
        EndReason.OffHours => "off-hours",
        EndReason.HelpDeskUnavailable => "helpdesk-unavailable",
        EndReason.HelpDeskError => "helpdesk-error",
        EndReason.Disabled => "disabled",
        _ => "wrong-channel",
    };

    public static string Of(DeskCloseType type) => type == DeskCloseType.Timeout ? "TIMEOUT" : "USER_CLOSED";

    // Read on every event of every conversation: looked up, not searched.
    private static readonly FrozenDictionary<string, EndReason> EndReasons =
        Enum.GetValues<EndReason>().ToFrozenDictionary(r => Of(r));

    private static readonly FrozenDictionary<string, HandoffStage> Stages =
        Enum.GetValues<HandoffStage>().ToFrozenDictionary(s => Stored(s));

    public static EndReason? EndReasonOf(string? name) => name is not null && EndReasons.TryGetValue(name, out var reason) ? reason : null;

    /// <summary>The stored name of a stage (kept apart from <see cref="Of(HandoffStage)"/>, which folds opening into waiting).</summary>
    public static string Stored(HandoffStage stage) => stage == HandoffStage.Opening ? "opening" : Of(stage);

    public static HandoffStage StageOf(string stored) => Stages.GetValueOrDefault(stored, HandoffStage.Ended);
}
