using Handoff.Core.Scheduling;

namespace Handoff.Core.Handoffs;

/// <summary>What the agent's settings and its help-desk say about a hand-off, read once per decision.</summary>
/// <param name="Desk">The connected help-desk as the rules see it; null when the agent has none.</param>
public sealed record HandoffPolicy(
    bool Enabled,
    bool HelpDeskToHelpDesk,
    TimeSpan WaitTimeout,
    TimeSpan SessionTimeout,
    TimeZoneInfo TimeZone,
    IReadOnlyCollection<ServicePeriod> ServicePeriods,
    DeskFacts? Desk)
{
    public static HandoffPolicy Disabled { get; } =
        new(false, false, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(180), TimeZoneInfo.Utc, [], null);
}

/// <summary>The facts of the agent's help-desk and of the conversation's channel that decide where a hand-off may go.</summary>
/// <param name="Available">The connection's status is <c>available</c>.</param>
/// <param name="ChannelIsHelpDesk">The conversation's channel is a help-desk's own messenger (any desk kind).</param>
/// <param name="ChannelIsThisDesk">The conversation's channel is the connected desk's own messenger.</param>
/// <param name="HandsOverOnlyInOwnWidget">The desk takes hand-offs only from its own widget, in either mode (Sobot).</param>
/// <param name="AnswersInsideWebhook">The desk hears the bot only in its webhook's answer (SalesIQ's Zobot): no wait prompt can reach the user there.</param>
public sealed record DeskFacts(
    bool Available,
    bool ChannelIsHelpDesk,
    bool ChannelIsThisDesk,
    bool HandsOverOnlyInOwnWidget = false,
    bool AnswersInsideWebhook = false);
