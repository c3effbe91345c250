using Handoff.Contracts.Agents;
using Handoff.Core.Scheduling;

namespace Handoff.Grains.Agents;

/// <summary>Defaults and conversions of hand-off settings shared by the grains and the operator API.</summary>
public static class AgentSettingsDefaults
{
    public static HandoffSettings Enabled { get; } = new(true, HandoffSettings.ChannelToHelpDesk, HandoffSettings.DefaultTrigger,
        60, 180, "UTC", [], HandoffSettings.DefaultOffHoursReply, 10, HandoffTexts.Defaults);

    /// <summary>What applies to an agent that never stored settings: hand-off off, default texts.</summary>
    public static HandoffSettings Disabled { get; } = Enabled with { Enabled = false };

    public static ServicePeriod ToServicePeriod(ServicePeriodSetting p)
    {
        ClockTime.TryParse(p.Start, out var start);
        ClockTime.TryParse(p.End, out var end);
        return p.Type == "date"
            ? ServicePeriod.OnDate(DateOnly.ParseExact(p.Date!, "yyyy-MM-dd"), start, end)
            : ServicePeriod.Weekly((p.Days ?? []).Select(d => Enum.Parse<DayOfWeek>(d, ignoreCase: true)), start, end);
    }
}
