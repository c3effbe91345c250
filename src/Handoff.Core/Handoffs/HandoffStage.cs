namespace Handoff.Core.Handoffs;

/// <summary>Where one hand-off attempt stands.</summary>
public enum HandoffStage
{
    /// <summary>Accepted, but the user's e-mail is needed before the desk is asked.</summary>
    AwaitingEmail,

    /// <summary>The desk is being asked to open a conversation; persisted first, so a crash retries it.</summary>
    Opening,
    WaitingForHuman,
    WaitTimeoutPrompt,
    WithHuman,
    Ended,
}

/// <summary>Why a hand-off ended (a refusal is a hand-off that ended at once).</summary>
public enum EndReason
{
    UserEnded,
    HumanEnded,
    WaitTimeout,
    SessionTimeout,
    OffHours,
    HelpDeskUnavailable,
    HelpDeskError,
    Disabled,
    WrongChannel,
}

/// <summary>How we tell the desk that our side closed its conversation (docs/api.md 4a).</summary>
public enum DeskCloseType
{
    Timeout,
    UserClosed,
}

/// <summary>The conversation's state as chat clients see it: the bot, or a stage of the hand-off.</summary>
public enum ChatState
{
    Bot,
    AwaitingEmail,
    WaitingForHuman,
    WaitTimeoutPrompt,
    WithHuman,
}

/// <summary>A service text the user reads as a system message; its words come from the agent's settings.</summary>
public enum ServiceText
{
    AskEmail,
    InvalidEmail,
    Waiting,
    WaitTimeoutPrompt,
    HumanJoined,
    Ended,
    Unavailable,
    OffHoursReply,
}
