namespace Handoff.Core.Scheduling;

/// <summary>
/// One service-hours rule: weekly on some weekdays, or once on a date. Times are minutes after midnight in the
/// agent's time zone; <see cref="EndMinute"/> may be 1440 (24:00).
/// </summary>
public sealed record ServicePeriod(IReadOnlySet<DayOfWeek>? Days, DateOnly? Date, int StartMinute, int EndMinute)
{
    public static ServicePeriod Weekly(IEnumerable<DayOfWeek> days, int startMinute, int endMinute) =>
        new(days.ToHashSet(), null, startMinute, endMinute);

    public static ServicePeriod OnDate(DateOnly date, int startMinute, int endMinute) => new(null, date, startMinute, endMinute);

    public bool AppliesTo(DateOnly day) => Date is { } date ? date == day : Days?.Contains(day.DayOfWeek) == true;
}

/// <summary>An effective service window of one calendar day.</summary>
public readonly record struct ServiceWindow(int StartMinute, int EndMinute)
{
    public string Start => ClockTime.Format(StartMinute);
    public string End => ClockTime.Format(EndMinute);
    public bool Contains(int minute) => minute >= StartMinute && minute < EndMinute;
}
