using System.Net;
using Handoff.Contracts.Agents;
using Handoff.Contracts.HelpDesks;
using Handoff.HelpDesks;
using Handoff.Host.Security;

namespace Handoff.Host.Api;

/// <summary>
/// The OAuth consent and the department picker of any help-desk kind that has them (its descriptor says so): the
/// operator is sent to the desk's consent page with a signed, short-lived <c>state</c> naming the agent; the desk
/// sends the browser back to the descriptor's redirect path, where the code becomes a stored (sealed) grant and our
/// webhook is registered.
/// </summary>
public static class HelpDeskConsentEndpoints
{
    private static readonly TimeSpan ConsentFor = TimeSpan.FromMinutes(10);

    public static IEndpointRouteBuilder MapHelpDeskConsentEndpoints(this IEndpointRouteBuilder app)
    {
        var agent = app.MapGroup("/api/agents/{agentId}/helpdesk").RequireAuthorization(AuthenticationSetup.AdminPolicy);

        // A plain request gets the 302; the console asks for JSON, since a fetch cannot follow a redirect into a page.
        agent.MapGet("/authorize", async (string agentId, HttpRequest request, IGrainFactory grains, HandoffKeys keys, IConfiguration config, TimeProvider time, HelpDeskCatalog catalog) =>
        {
            var (connection, descriptor, problem) = await ConnectionAsync(agentId, grains, catalog);
            if (problem is not null) return problem;
            if (descriptor!.Consent is not { } consent)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No consent needed",
                    detail: $"Help-desk kind {descriptor.Kind} is not authorised through a consent page.");
            }

            var state = keys.CreateConsentState(agentId, time.GetUtcNow() + ConsentFor);
            var url = consent.AuthorizeUrl(connection!.Settings, config, RedirectUri(consent, config, request), state);
            return request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase)
                ? Results.Ok(new { authorizeUrl = url })
                : Results.Redirect(url);
        });

        agent.MapGet("/departments", async (string agentId, IGrainFactory grains, HelpDeskCatalog catalog) =>
        {
            var (connection, descriptor, problem) = await ConnectionAsync(agentId, grains, catalog);
            if (problem is not null) return problem;
            if (descriptor!.DepartmentKey is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No departments",
                    detail: $"Help-desk kind {descriptor.Kind} has no departments to pick.");
            }

            if (connection!.Status == HelpDeskConnection.NotConfigured)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not authorised",
                    detail: $"Authorise the {descriptor.DisplayName} connection first; the departments are read with its token.");
            }

            try
            {
                var departments = await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(agentId)).ListDepartmentsAsync(connection);
                return Results.Ok(departments.Select(d => new { id = d.Id, name = d.Name }));
            }
            catch (HelpDeskFailedException ex)
            {
                return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: $"{descriptor.DisplayName} did not list the departments", detail: ex.Message);
            }
        });

        // Each consent desk's redirect path is fixed by what the operator registered at the desk, so it comes from the descriptor.
        var catalog = app.ServiceProvider.GetRequiredService<HelpDeskCatalog>();
        foreach (var descriptor in catalog.All.Where(d => d.Consent is not null).DistinctBy(d => d.Consent!.RedirectPath))
        {
            app.MapGet(descriptor.Consent!.RedirectPath, (HttpRequest request, IGrainFactory grains, HandoffKeys keys, IConfiguration config, TimeProvider time) =>
                    RedirectAsync(descriptor, request, grains, keys, config, time, catalog))
                .AllowAnonymous().RequireRateLimiting(RateLimits.Public);
        }

        return app;
    }

    private static async Task<IResult> RedirectAsync(HelpDeskDescriptor descriptor, HttpRequest request, IGrainFactory grains, HandoffKeys keys,
        IConfiguration config, TimeProvider time, HelpDeskCatalog catalog)
    {
        var failed = $"{descriptor.DisplayName} was not connected";
        var query = request.Query;
        if (keys.ReadConsentState(query["state"], time.GetUtcNow()) is not { } agentId)
        {
            return Page(400, failed, "This link is not valid or has expired. Press Authorise in the console again.");
        }

        if (query["error"].ToString() is { Length: > 0 } error)
        {
            return Page(400, failed, $"{descriptor.Consent!.ProviderName} answered: {error}.");
        }

        if (query["code"].ToString() is not { Length: > 0 } code)
        {
            return Page(400, failed, $"{descriptor.Consent!.ProviderName} sent no authorisation code.");
        }

        var (connection, connected, problem) = await ConnectionAsync(agentId, grains, catalog);
        if (problem is not null || connected!.Kind != descriptor.Kind)
        {
            return Page(409, failed, $"Agent {agentId} has no {descriptor.DisplayName} connection any more.");
        }

        var receivingAddress = AgentEndpoints.ReceivingAddress(agentId, connection!, keys, config, request);
        var result = await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(agentId))
            .AuthorizeAsync(connection!, code, RedirectUri(descriptor.Consent!, config, request), receivingAddress);
        if (!result.Available)
        {
            return Page(502, failed, result.Detail);
        }

        var verified = await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(agentId)).VerifyConnectionAsync();
        return verified is { Status: HelpDeskConnection.Available }
            ? Page(200, $"{descriptor.DisplayName} is connected", $"Agent {agentId}: {verified.StatusDetail}. You can close this page.")
            : Page(502, $"{descriptor.DisplayName} was authorised but does not work yet", verified?.StatusDetail ?? "no connection");
    }

    /// <summary>The agent's connection and its kind's descriptor, or the problem to answer (bad id, unknown agent, no connection).</summary>
    private static async Task<(HelpDeskConnection? Connection, HelpDeskDescriptor? Descriptor, IResult? Problem)> ConnectionAsync(
        string agentId, IGrainFactory grains, HelpDeskCatalog catalog)
    {
        if (!AgentIds.IsValid(agentId)) return (null, null, AgentIds.Invalid());
        var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
        if (!await agent.ExistsAsync()) return (null, null, AgentEndpoints.UnknownAgent(agentId));
        var connection = await agent.GetHelpDeskAsync();
        return connection is not null && catalog.Find(connection.Kind) is { } descriptor
            ? (connection, descriptor, null)
            : (null, null, Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No help-desk connection",
                detail: $"Agent '{agentId}' has no help-desk connection; PUT one first."));
    }

    private static string RedirectUri(HelpDeskConsent consent, IConfiguration config, HttpRequest request) =>
        AgentEndpoints.PublicBase(config, request) + consent.RedirectPath;

    private static IResult Page(int status, string title, string detail) => Results.Content(
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head>" +
        $"<body style=\"font-family:sans-serif;max-width:40rem;margin:3rem auto\"><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(detail)}</p></body></html>",
        "text/html; charset=utf-8", statusCode: status);
}
