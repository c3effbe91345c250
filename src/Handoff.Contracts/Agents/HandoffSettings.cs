namespace Handoff.Contracts.Agents;

[GenerateSerializer, Immutable, Alias("handoff.service-period")]
public sealed record ServicePeriodSetting(
    [property: Id(0)] string Type,
    [property: Id(1)] IReadOnlyList<string>? Days,
    [property: Id(2)] string? Date,
    [property: Id(3)] string Start,
    [property: Id(4)] string End);

/// <summary>The user-facing texts of a hand-off; every one has an English default.</summary>
[GenerateSerializer, Immutable, Alias("handoff.texts")]
public sealed record HandoffTexts(
    [property: Id(0)] string AskEmail,
    [property: Id(1)] string InvalidEmail,
    [property: Id(2)] string Waiting,
    [property: Id(3)] string WaitTimeoutPrompt,
    [property: Id(4)] string HumanJoined,
    [property: Id(5)] string Ended,
    [property: Id(6)] string Unavailable,
    [property: Id(7)] string BotUnavailable)
{
    public static HandoffTexts Defaults { get; } = new(
        AskEmail: "Before I connect you with a person, what is your e-mail address?",
        InvalidEmail: "That doesn't look like an e-mail address. Please type it again, like name@example.com.",
        Waiting: "Thanks. I've asked a person from our team to join; please stay here.",
        WaitTimeoutPrompt: "Nobody has answered yet. Do you want to keep waiting, or end the request?",
        HumanJoined: "A person from our team has joined the conversation.",
        Ended: "The conversation with our team has ended. I'm back to help.",
        Unavailable: "Sorry, nobody from our team can join right now. Please try again later.",
        BotUnavailable: "Sorry, I can't answer right now. Please try again in a moment.");
}

/// <summary>An agent's hand-off settings, with every default already applied.</summary>
[GenerateSerializer, Immutable, Alias("handoff.settings")]
public sealed record HandoffSettings(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] string Mode,
    [property: Id(2)] string TriggerDescription,
    [property: Id(3)] int WaitTimeoutSeconds,
    [property: Id(4)] int SessionTimeoutSeconds,
    [property: Id(5)] string TimeZone,
    [property: Id(6)] IReadOnlyList<ServicePeriodSetting> ServicePeriods,
    [property: Id(7)] string OffHoursReply,
    [property: Id(8)] int HistoryMessageCount,
    [property: Id(9)] HandoffTexts Texts)
{
    public const string ChannelToHelpDesk = "channel-to-helpdesk";
    public const string HelpDeskToHelpDesk = "helpdesk-to-helpdesk";
    public const string DefaultTrigger = "The user asks to talk to a person.";
    public const string DefaultOffHoursReply = "Our team is not available right now. Leave your question and we will get back to you by e-mail.";
}

/// <summary>A help-desk connection of an agent: kind, settings (secrets in clear: only grains hold them) and status.</summary>
[GenerateSerializer, Immutable, Alias("handoff.helpdesk-connection")]
public sealed record HelpDeskConnection(
    [property: Id(0)] string Kind,
    [property: Id(1)] IReadOnlyDictionary<string, string> Settings,
    [property: Id(2)] string Status,
    [property: Id(3)] string? StatusDetail,
    [property: Id(4)] DateTimeOffset? CheckedAt,
    [property: Id(5)] string ReceivingSecret)
{
    public const string NotConfigured = "not-configured";
    public const string Available = "available";
    public const string Unavailable = "unavailable";
}

/// <summary>Which bot answers an agent's users: the embedded rule-based one, or an OpenAI-compatible model.</summary>
[GenerateSerializer, Immutable, Alias("handoff.bot-settings")]
public sealed record BotSettings(
    [property: Id(0)] string Kind,
    [property: Id(1)] string? BaseUrl,
    [property: Id(2)] string? Model,
    [property: Id(3)] string? ApiKey,
    [property: Id(4)] string? SystemPrompt,
    [property: Id(5)] int TimeoutSeconds)
{
    public const string Builtin = "builtin";
    public const string OpenAiCompatible = "openai-compatible";
    public static BotSettings Default { get; } = new(Builtin, null, null, null, null, 30);
}
