using Handoff.Contracts.Agents;
using Handoff.Core.Handoffs;
using Handoff.Grains.Agents;

namespace Handoff.Grains.Conversations;

/// <summary>Turns the agent's settings and help-desk connection into the hand-off rules' policy for one conversation's channel.</summary>
public static class ChannelPolicy
{
    // TODO(descriptors): from the registered help-desk descriptors.
    private static readonly HashSet<string> HelpDeskChannels = ["intercom", "livechat", "zoho-salesiq", "livedesk", "sobot"];
    private static readonly HashSet<string> OnlyOwnWidget = ["sobot"];
    private static readonly HashSet<string> InsideWebhook = ["zoho-salesiq"];

    public static bool AnswersInsideWebhook(string kind) => InsideWebhook.Contains(kind);

    /// <param name="forRequest">
    /// A hand-off request needs the agent's time zone, and fails (changing nothing) when this node does not know it;
    /// every other event reads only the timeouts, so a bot conversation never fails over a zone.
    /// </param>
    public static HandoffPolicy For(HandoffSettings? settings, HelpDeskConnection? desk, string channel, bool forRequest)
    {
        if (settings is null)
        {
            return HandoffPolicy.Disabled;
        }

        var facts = desk is null ? null : new DeskFacts(
            Available: desk.Status == HelpDeskConnection.Available,
            ChannelIsHelpDesk: HelpDeskChannels.Contains(channel),
            ChannelIsThisDesk: desk.Kind == channel,
            HandsOverOnlyInOwnWidget: OnlyOwnWidget.Contains(desk.Kind),
            AnswersInsideWebhook: InsideWebhook.Contains(desk.Kind));
        return new HandoffPolicy(settings.Enabled, settings.Mode == HandoffSettings.HelpDeskToHelpDesk,
            TimeSpan.FromSeconds(settings.WaitTimeoutSeconds), TimeSpan.FromSeconds(settings.SessionTimeoutSeconds),
            forRequest ? TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone) : TimeZoneInfo.Utc, forRequest ? settings.ServicePeriods.Select(AgentSettingsDefaults.ToServicePeriod).ToList() : [],
            facts ?? new DeskFacts(false, HelpDeskChannels.Contains(channel), false));
    }
}
