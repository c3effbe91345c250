using Handoff.Core.Scheduling;

namespace Handoff.Core.Tests;

public sealed class ServiceScheduleTests
{
    private static int T(string hhmm) => ClockTime.TryParse(hhmm, out var m) ? m : throw new ArgumentException(hhmm);

    [Fact]
    public void Overlapping_rules_of_a_day_merge_into_the_widest_windows_and_the_others_stay_apart()
    {
        var day = new DateOnly(2024, 12, 12); // a Thursday
        ServicePeriod[] periods =
        [
            ServicePeriod.Weekly([DayOfWeek.Thursday], T("09:00"), T("12:00")),
            ServicePeriod.OnDate(day, T("10:00"), T("12:00")),
            ServicePeriod.OnDate(day, T("13:00"), T("18:00")),
            ServicePeriod.Weekly([DayOfWeek.Monday, DayOfWeek.Thursday], T("15:00"), T("17:00")),
        ];

        var windows = ServiceSchedule.WindowsFor(day, periods);

        Assert.Equal(["09:00-12:00", "13:00-18:00"], windows.Select(w => $"{w.Start}-{w.End}"));
    }

    [Fact]
    public void Touching_windows_merge_into_one()
    {
        var day = new DateOnly(2024, 12, 12);
        var windows = ServiceSchedule.WindowsFor(day,
            [ServicePeriod.OnDate(day, T("12:00"), T("13:00")), ServicePeriod.OnDate(day, T("13:00"), T("14:00"))]);
        Assert.Equal(["12:00-14:00"], windows.Select(w => $"{w.Start}-{w.End}"));
    }

    [Fact]
    public void No_periods_means_always_in_service_and_rules_for_other_days_mean_no_service()
    {
        var day = new DateOnly(2024, 12, 12);
        Assert.Equal(["00:00-24:00"], ServiceSchedule.WindowsFor(day, []).Select(w => $"{w.Start}-{w.End}"));
        Assert.Empty(ServiceSchedule.WindowsFor(day, [ServicePeriod.Weekly([DayOfWeek.Monday], 0, ClockTime.EndOfDay)]));
        Assert.Empty(ServiceSchedule.WindowsFor(day, [ServicePeriod.OnDate(day.AddDays(1), 0, 600)]));
    }

    [Fact]
    public void Being_in_service_is_judged_in_the_agents_time_zone()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        ServicePeriod[] periods = [ServicePeriod.Weekly([DayOfWeek.Thursday], T("09:00"), T("17:30"))];

        Assert.True(ServiceSchedule.IsInService(new DateTimeOffset(2024, 12, 12, 8, 30, 0, TimeSpan.Zero), berlin, periods));
        Assert.False(ServiceSchedule.IsInService(new DateTimeOffset(2024, 12, 12, 7, 59, 0, TimeSpan.Zero), berlin, periods));
        Assert.False(ServiceSchedule.IsInService(new DateTimeOffset(2024, 12, 12, 16, 30, 0, TimeSpan.Zero), berlin, periods));
    }

    [Theory]
    [InlineData("00:00", 0)]
    [InlineData("09:30", 570)]
    [InlineData("24:00", 1440)]
    public void Clock_times_parse_including_the_end_of_day(string text, int minutes)
    {
        Assert.True(ClockTime.TryParse(text, out var parsed));
        Assert.Equal(minutes, parsed);
    }

    [Theory]
    [InlineData("24:01")]
    [InlineData("9:00")]
    [InlineData("12:60")]
    [InlineData("ab:cd")]
    [InlineData("")]
    public void Bad_clock_times_are_refused(string text) => Assert.False(ClockTime.TryParse(text, out _));
}
