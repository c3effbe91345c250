using System.Globalization;

namespace Handoff.Core.Scheduling;

/// <summary>Wall-clock times written <c>HH:mm</c>, with <c>24:00</c> allowed as the end of a day.</summary>
public static class ClockTime
{
    public const int EndOfDay = 24 * 60;

    public static bool TryParse(string? text, out int minutes)
    {
        minutes = 0;
        if (text is not { Length: 5 } || text[2] != ':' ||
            !int.TryParse(text.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h) ||
            !int.TryParse(text.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m))
        {
            return false;
        }

        if (h == 24 && m == 0)
        {
            minutes = EndOfDay;
            return true;
        }

        if (h > 23 || m > 59)
        {
            return false;
        }

        minutes = h * 60 + m;
        return true;
    }

    public static string Format(int minutes) => $"{minutes / 60:00}:{minutes % 60:00}";
}
