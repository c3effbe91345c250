using Handoff.Contracts.Agents;
using Handoff.Core.Handoffs;
using Handoff.Grains.Agents;
using Handoff.HelpDesks;

namespace Handoff.Grains.Conversations;

/// <summary>
/// Turns the agent's settings and help-desk connection into the hand-off rules' policy for one conversation's
/// channel; what a desk allows comes from its registered descriptor's capabilities.
/// </summary>
public sealed class ChannelPolicy(HelpDeskCatalog catalog)
{
    public bool AnswersInsideWebhook(string kind) => catalog.Has(kind, HelpDeskCapabilities.AnswersInsideWebhook);

    /// <param name="forRequest">
    /// A hand-off request needs the agent's time zone and service periods, and fails (changing nothing) when this
    /// node does not know the zone; every other event reads only the timeouts, so a bot conversation never fails over a zone.
    /// </param>
    public HandoffPolicy For(HandoffSettings? settings, HelpDeskConnection? desk, string channel, bool forRequest)
    {
        if (settings is null)
        {
            return HandoffPolicy.Disabled;
        }

        var channelIsHelpDesk = catalog.IsHelpDeskChannel(channel);
        var facts = desk is null
            ? new DeskFacts(false, channelIsHelpDesk, false)
            : new DeskFacts(
                Available: desk.Status == HelpDeskConnection.Available,
                ChannelIsHelpDesk: channelIsHelpDesk,
                ChannelIsThisDesk: desk.Kind == channel,
                HandsOverOnlyInOwnWidget: catalog.Has(desk.Kind, HelpDeskCapabilities.HandsOverOnlyInOwnWidget),
                AnswersInsideWebhook: catalog.Has(desk.Kind, HelpDeskCapabilities.AnswersInsideWebhook));
        return new HandoffPolicy(settings.Enabled, settings.Mode == HandoffSettings.HelpDeskToHelpDesk,
            TimeSpan.FromSeconds(settings.WaitTimeoutSeconds), TimeSpan.FromSeconds(settings.SessionTimeoutSeconds),
            forRequest ? TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone) : TimeZoneInfo.Utc,
            forRequest ? settings.ServicePeriods.Select(AgentSettingsDefaults.ToServicePeriod).ToList() : [],
            facts);
    }
}
