using Handoff.Contracts.Agents;
using Handoff.Core.Scheduling;
using Handoff.Grains.Agents;

namespace Handoff.Host.Api;

/// <summary>The JSON of <c>PUT /api/agents/{agentId}/handoff</c>; every field optional.</summary>
public sealed class HandoffSettingsBody
{
    public bool? Enabled { get; set; }
    public string? Mode { get; set; }
    public string? TriggerDescription { get; set; }
    public int? WaitTimeoutSeconds { get; set; }
    public int? SessionTimeoutSeconds { get; set; }
    public string? TimeZone { get; set; }
    public List<ServicePeriodBody>? ServicePeriods { get; set; }
    public string? OffHoursReply { get; set; }
    public int? HistoryMessageCount { get; set; }
    public Dictionary<string, string?>? Texts { get; set; }

    private static readonly string[] Weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    private static readonly string[] TextKeys = ["askEmail", "invalidEmail", "waiting", "waitTimeoutPrompt", "humanJoined", "ended", "unavailable", "botUnavailable"];
    private const int MaxText = 2000;

    /// <summary>The settings with defaults applied, or the errors keyed by field.</summary>
    public (HandoffSettings? Settings, Dictionary<string, string[]> Errors) Validate()
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];
        var d = AgentSettingsDefaults.Enabled;

        var mode = Mode ?? d.Mode;
        if (mode is not (HandoffSettings.ChannelToHelpDesk or HandoffSettings.HelpDeskToHelpDesk))
            Error("mode", "must be 'channel-to-helpdesk' or 'helpdesk-to-helpdesk'");
        if (WaitTimeoutSeconds is < 1 or > 86400) Error("waitTimeoutSeconds", "must be 1 to 86400");
        if (SessionTimeoutSeconds is < 1 or > 86400) Error("sessionTimeoutSeconds", "must be 1 to 86400");
        if (HistoryMessageCount is < 0 or > 50) Error("historyMessageCount", "must be 0 to 50");
        var zone = TimeZone ?? d.TimeZone;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var tz) || !tz.HasIanaId && zone != "UTC")
            Error("timeZone", "must be an IANA time zone such as Europe/Berlin");
        if (TriggerDescription is { Length: > MaxText }) Error("triggerDescription", $"at most {MaxText} characters");
        if (OffHoursReply is { Length: > MaxText }) Error("offHoursReply", $"at most {MaxText} characters");

        var periods = ServicePeriods ?? [];
        if (periods.Count > 10) Error("servicePeriods", "at most 10 service periods");
        var parsed = new List<ServicePeriodSetting>();
        for (var i = 0; i < periods.Count && i < 10; i++)
        {
            var p = periods[i];
            var at = $"servicePeriods[{i}]";
            if (p is null)
            {
                Error(at, "must be an object");
                continue;
            }

            var startOk = ClockTime.TryParse(p.Start, out var start) && start < ClockTime.EndOfDay;
            var endOk = ClockTime.TryParse(p.End, out var end);
            if (!startOk) Error($"{at}.start", "must be a time HH:mm");
            if (!endOk) Error($"{at}.end", "must be a time HH:mm (24:00 allowed)");
            if (startOk && endOk && start >= end) Error($"{at}.end", "must be after start");
            switch (p.Type)
            {
                case "weekly":
                    if (p.Days is not { Count: > 0 }) Error($"{at}.days", "must name at least one weekday");
                    else if (p.Days.Any(day => !Weekdays.Contains(day?.ToLowerInvariant()))) Error($"{at}.days", "must be English weekday names such as monday");
                    break;
                case "date":
                    if (!DateOnly.TryParseExact(p.Date, "yyyy-MM-dd", out _)) Error($"{at}.date", "must be a date yyyy-MM-dd");
                    break;
                default:
                    Error($"{at}.type", "must be 'weekly' or 'date'");
                    break;
            }

            parsed.Add(new ServicePeriodSetting(p.Type ?? "", p.Type == "weekly" ? p.Days?.Select(x => x.ToLowerInvariant()).ToList() : null,
                p.Type == "date" ? p.Date : null, p.Start ?? "", p.End ?? ""));
        }

        var texts = d.Texts;
        foreach (var (key, value) in Texts ?? [])
        {
            if (!TextKeys.Contains(key)) Error($"texts.{key}", "is not a known text");
            else if (value is null || value.Length is 0 or > MaxText) Error($"texts.{key}", $"must be 1 to {MaxText} characters");
            else texts = key switch
            {
                "askEmail" => texts with { AskEmail = value },
                "invalidEmail" => texts with { InvalidEmail = value },
                "waiting" => texts with { Waiting = value },
                "waitTimeoutPrompt" => texts with { WaitTimeoutPrompt = value },
                "humanJoined" => texts with { HumanJoined = value },
                "ended" => texts with { Ended = value },
                "unavailable" => texts with { Unavailable = value },
                _ => texts with { BotUnavailable = value },
            };
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new HandoffSettings(Enabled ?? true, mode, string.IsNullOrWhiteSpace(TriggerDescription) ? d.TriggerDescription : TriggerDescription,
            WaitTimeoutSeconds ?? d.WaitTimeoutSeconds, SessionTimeoutSeconds ?? d.SessionTimeoutSeconds, zone, parsed,
            string.IsNullOrWhiteSpace(OffHoursReply) ? d.OffHoursReply : OffHoursReply, HistoryMessageCount ?? d.HistoryMessageCount, texts), errors);
    }
}

public sealed class ServicePeriodBody
{
    public string? Type { get; set; }
    public List<string>? Days { get; set; }
    public string? Date { get; set; }
    public string? Start { get; set; }
    public string? End { get; set; }
}
