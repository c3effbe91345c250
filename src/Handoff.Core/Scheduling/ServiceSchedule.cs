namespace Handoff.Core.Scheduling;

/// <summary>Turns an agent's service periods into the windows of a day, and answers "is someone there now?".</summary>
public static class ServiceSchedule
{
    private static readonly ServiceWindow WholeDay = new(0, ClockTime.EndOfDay);

    /// <summary>
    /// The effective windows of <paramref name="day"/>: every rule that applies to it, overlapping or touching
    /// windows merged into the widest one, ordered. No rules at all means always in service.
    /// </summary>
    public static IReadOnlyList<ServiceWindow> WindowsFor(DateOnly day, IReadOnlyCollection<ServicePeriod> periods)
    {
        if (periods.Count == 0)
        {
            return [WholeDay];
        }

        var merged = new List<ServiceWindow>();
        foreach (var window in periods.Where(p => p.AppliesTo(day) && p.StartMinute < p.EndMinute)
                     .Select(p => new ServiceWindow(p.StartMinute, p.EndMinute))
                     .OrderBy(w => w.StartMinute))
        {
            if (merged.Count > 0 && window.StartMinute <= merged[^1].EndMinute)
            {
                var last = merged[^1];
                merged[^1] = last with { EndMinute = Math.Max(last.EndMinute, window.EndMinute) };
            }
            else
            {
                merged.Add(window);
            }
        }

        return merged;
    }

    public static bool IsInService(DateTimeOffset instant, TimeZoneInfo zone, IReadOnlyCollection<ServicePeriod> periods)
    {
        if (periods.Count == 0)
        {
            return true;
        }

        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var minute = local.Hour * 60 + local.Minute;
        return WindowsFor(DateOnly.FromDateTime(local.DateTime), periods).Any(w => w.Contains(minute));
    }
}
