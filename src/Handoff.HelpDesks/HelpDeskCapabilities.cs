namespace Handoff.HelpDesks;

/// <summary>
/// What a help-desk kind can do or needs, so the host and the conversation decide by capability instead of by the
/// desk's name.
/// </summary>
[Flags]
public enum HelpDeskCapabilities
{
    None = 0,

    /// <summary>Our bot can live inside the desk's own messenger (help-desk → help-desk mode).</summary>
    HasMessenger = 1,

    /// <summary>The desk's bot speaks only in the HTTP answer to its webhook call (SalesIQ's Zobot).</summary>
    AnswersInsideWebhook = 2,

    /// <summary>Only conversations started in the desk's own widget can be handed to it (Sobot).</summary>
    HandsOverOnlyInOwnWidget = 4,

    /// <summary>The desk sends each webhook once, without retries: quiet hand-offs are read back from it.</summary>
    MayLoseWebhooks = 8,

    /// <summary>The operator must grant us access in the desk's consent page before the connection works.</summary>
    NeedsConsent = 16,
}
