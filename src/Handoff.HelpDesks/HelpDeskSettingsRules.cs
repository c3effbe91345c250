namespace Handoff.HelpDesks;

/// <summary>
/// Which settings keys a help-desk kind takes (docs/api.md section 2): required, optional, and which of them are
/// secret (masked in answers, sealed at rest).
/// </summary>
/// <param name="Granted">
/// Keys the service stores itself after the operator authorises it at the desk (a refresh token): secret, never
/// settable through the API and never shown; a connection without them is not configured yet.
/// </param>
public sealed record HelpDeskSettingsRules(
    IReadOnlyList<string> Required,
    IReadOnlyList<string> Optional,
    IReadOnlyList<string> Secrets,
    IReadOnlyList<string>? Granted = null)
{
    public IReadOnlyList<string> GrantedKeys => Granted ?? [];

    /// <summary>Keys an operator may set (granted keys are not among them).</summary>
    public bool Accepts(string key) => Required.Contains(key) || Optional.Contains(key);

    public bool IsSecret(string key) => Secrets.Contains(key) || GrantedKeys.Contains(key);

    public bool IsGranted(string key) => GrantedKeys.Contains(key);
}
