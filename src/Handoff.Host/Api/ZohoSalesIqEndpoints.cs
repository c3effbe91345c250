using System.Net;
using Handoff.Contracts.Agents;
using Handoff.Contracts.HelpDesks;
using Handoff.Host.Security;
using Handoff.HelpDesks.ZohoSalesIq;

namespace Handoff.Host.Api;

/// <summary>
/// Zoho SalesIQ's Org OAuth consent and its department picker: the operator is sent to Zoho's consent page with a
/// signed, short-lived <c>state</c> naming the agent; Zoho sends the browser back to the seed's redirect path, where
/// the code becomes a stored (sealed) refresh token and our webhook is registered.
/// </summary>
public static class ZohoSalesIqEndpoints
{
    public const string RedirectPath = "/api/console/bot/zoho/salesiq/org/redirect";
    private const string Kind = "zoho-salesiq";
    private static readonly TimeSpan ConsentFor = TimeSpan.FromMinutes(10);

    public static IEndpointRouteBuilder MapZohoSalesIqEndpoints(this IEndpointRouteBuilder app)
    {
        var agent = app.MapGroup("/api/agents/{agentId}/helpdesk/zoho").RequireAuthorization(AuthenticationSetup.AdminPolicy);

        // A plain request gets the 302; the console asks for JSON, since a fetch cannot follow a redirect into a page.
        agent.MapGet("/authorize", async (string agentId, HttpRequest request, IGrainFactory grains, HandoffKeys keys, IConfiguration config, TimeProvider time) =>
        {
            var (connection, problem) = await ZohoConnectionAsync(agentId, grains);
            if (problem is not null) return problem;

            var state = keys.CreateConsentState(agentId, time.GetUtcNow() + ConsentFor);
            var url = ZohoSalesIqHelpDesk.AuthorizeUrl(connection!.Settings, config, RedirectUri(config, request), state);
            return request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase)
                ? Results.Ok(new { authorizeUrl = url })
                : Results.Redirect(url);
        });

        agent.MapGet("/departments", async (string agentId, IGrainFactory grains) =>
        {
            var (connection, problem) = await ZohoConnectionAsync(agentId, grains);
            if (problem is not null) return problem;

            if (connection!.Status == HelpDeskConnection.NotConfigured)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not authorised",
                    detail: "Authorise the SalesIQ connection first; the departments are read with its token.");
            }

            try
            {
                var departments = await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(agentId)).ListDepartmentsAsync(connection);
                return Results.Ok(departments.Select(d => new { id = d.Id, name = d.Name }));
            }
            catch (HelpDeskFailedException ex)
            {
                return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "SalesIQ did not list the departments", detail: ex.Message);
            }
        });

        app.MapGet(RedirectPath, RedirectAsync).AllowAnonymous().RequireRateLimiting(RateLimits.Public);
        return app;
    }

    private static async Task<IResult> RedirectAsync(HttpRequest request, IGrainFactory grains, HandoffKeys keys, IConfiguration config, TimeProvider time)
    {
        var query = request.Query;
        if (keys.ReadConsentState(query["state"], time.GetUtcNow()) is not { } agentId)
        {
            return Page(400, "Zoho SalesIQ was not connected", "This link is not valid or has expired. Press Authorise in the console again.");
        }

        if (query["error"].ToString() is { Length: > 0 } error)
        {
            return Page(400, "Zoho SalesIQ was not connected", $"Zoho answered: {error}.");
        }

        if (query["code"].ToString() is not { Length: > 0 } code)
        {
            return Page(400, "Zoho SalesIQ was not connected", "Zoho sent no authorisation code.");
        }

        var (connection, problem) = await ZohoConnectionAsync(agentId, grains);
        if (problem is not null)
        {
            return Page(409, "Zoho SalesIQ was not connected", $"Agent {agentId} has no Zoho SalesIQ connection any more.");
        }

        var receivingAddress = AgentEndpoints.ReceivingAddress(agentId, connection!, keys, config, request);
        var result = await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(agentId)).AuthorizeAsync(connection!, code, RedirectUri(config, request), receivingAddress);
        if (!result.Available)
        {
            return Page(502, "Zoho SalesIQ was not connected", result.Detail);
        }

        var verified = await grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId)).VerifyHelpDeskAsync();
        return verified is { Status: HelpDeskConnection.Available }
            ? Page(200, "Zoho SalesIQ is connected", $"Agent {agentId}: {verified.StatusDetail}. You can close this page.")
            : Page(502, "Zoho SalesIQ was authorised but does not work yet", verified?.StatusDetail ?? "no connection");
    }

    private static async Task<(HelpDeskConnection? Connection, IResult? Problem)> ZohoConnectionAsync(string agentId, IGrainFactory grains)
    {
        if (!AgentIds.IsValid(agentId)) return (null, AgentIds.Invalid());
        var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
        if (!await agent.ExistsAsync()) return (null, AgentEndpoints.UnknownAgent(agentId));
        var connection = await agent.GetHelpDeskAsync();
        return connection?.Kind == Kind
            ? (connection, null)
            : (null, Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No Zoho SalesIQ connection",
                detail: $"Agent '{agentId}' has no help-desk connection of kind {Kind}; PUT one first."));
    }

    private static string RedirectUri(IConfiguration config, HttpRequest request) => AgentEndpoints.PublicBase(config, request) + RedirectPath;

    private static IResult Page(int status, string title, string detail) => Results.Content(
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head>" +
        $"<body style=\"font-family:sans-serif;max-width:40rem;margin:3rem auto\"><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(detail)}</p></body></html>",
        "text/html; charset=utf-8", statusCode: status);
}
