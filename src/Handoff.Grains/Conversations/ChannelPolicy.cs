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

    public static HandoffPolicy For(HandoffSettings? settings, HelpDeskConnection? desk, string channel)
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
            // An unknown zone throws here, before anything is decided: the conversation stays as it was.
            TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone), settings.ServicePeriods.Select(AgentSettingsDefaults.ToServicePeriod).ToList(),
            facts ?? new DeskFacts(false, HelpDeskChannels.Contains(channel), false));
    }
}
