using System.Text.Json;
using Handoff.HelpDesks;
using Handoff.Host.Security;

namespace Handoff.Host.Api;

/// <summary>
/// <c>GET /api/helpdesk-kinds</c>: every registered help-desk kind with its settings rules, capabilities and help
/// lines, so the operator console builds its kind list, templates and buttons from the descriptors, not from a copy.
/// </summary>
public static class HelpDeskKindEndpoints
{
    public static IEndpointRouteBuilder MapHelpDeskKindEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/helpdesk-kinds", (HelpDeskCatalog catalog) => Results.Ok(catalog.All.Select(View)))
            .RequireAuthorization(AuthenticationSetup.AdminPolicy);
        return app;
    }

    private static object View(HelpDeskDescriptor d) => new
    {
        kind = d.Kind,
        displayName = d.DisplayName,
        required = d.Settings.Required,
        optional = d.Settings.Optional,
        secrets = d.Settings.Secrets,
        capabilities = Enum.GetValues<HelpDeskCapabilities>().Where(c => c != HelpDeskCapabilities.None && d.Has(c))
            .Select(c => JsonNamingPolicy.CamelCase.ConvertName(c.ToString())),
        help = d.Help,
        // A starting point for the settings JSON: the required keys, with the desk's examples where it gives them.
        template = d.Settings.Required.Concat(d.Examples.Keys).Distinct().ToDictionary(k => k, k => d.Examples.GetValueOrDefault(k) ?? ""),
        departmentKey = d.DepartmentKey,
        consent = d.Consent is { } c ? new { providerName = c.ProviderName, redirectPath = c.RedirectPath } : null,
    };
}
