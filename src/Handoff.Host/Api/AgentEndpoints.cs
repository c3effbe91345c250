using Handoff.Contracts.Agents;
using Handoff.Contracts.HelpDesks;
using Handoff.Core.Scheduling;
using Handoff.Grains.Agents;
using Handoff.Host.Security;
using Handoff.HelpDesks;

namespace Handoff.Host.Api;

/// <summary>The operator API of an agent: hand-off settings, help-desk connection, service windows.</summary>
public static class AgentEndpoints
{
    public static IEndpointRouteBuilder MapAgentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/agents", async (IGrainFactory grains) =>
        {
            var ids = await grains.GetGrain<IAgentDirectoryGrain>(IAgentDirectoryGrain.Key).ListAsync();
            var rows = await Task.WhenAll(ids.Select(async id =>
            {
                var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(id));
                var settings = await agent.GetHandoffSettingsAsync();
                var helpDesk = await agent.GetHelpDeskAsync();
                return new { agentId = id, enabled = settings?.Enabled ?? false, helpDeskKind = helpDesk?.Kind, helpDeskStatus = helpDesk?.Status ?? HelpDeskConnection.NotConfigured };
            }));
            return Results.Ok(rows);
        }).RequireAuthorization(AuthenticationSetup.AdminPolicy);

        var agents = app.MapGroup("/api/agents/{agentId}").RequireAuthorization(AuthenticationSetup.AdminPolicy);

        agents.MapGet("/conversations", async (string agentId, IGrainFactory grains) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
            if (!await agent.ExistsAsync()) return UnknownAgent(agentId);
            return Results.Ok(await agent.GetLiveConversationsAsync());
        });

        agents.MapPut("/handoff", async (string agentId, HandoffSettingsBody body, IGrainFactory grains, HandoffKeys keys, IConfiguration config, HttpRequest request, TimeProvider time) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var (settings, errors) = body.Validate();
            if (settings is null) return Results.ValidationProblem(errors);
            var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
            var before = (await agent.GetHandoffSettingsAsync())?.Mode;
            await agent.SetHandoffSettingsAsync(settings);
            var helpDesk = await agent.GetHelpDeskAsync();
            if (helpDesk is not null && before != settings.Mode && settings.Mode == HandoffSettings.HelpDeskToHelpDesk)
            {
                // The desk's messenger side (a bot agent, bot webhooks) is set up when the mode is switched on, not only on verify.
                helpDesk = await VerifyAsync(agentId, grains, keys, config, request, time);
            }

            return Results.Ok(SettingsView(settings, helpDesk));
        });

        agents.MapGet("/handoff", async (string agentId, IGrainFactory grains) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
            if (!await agent.ExistsAsync()) return UnknownAgent(agentId);
            return Results.Ok(SettingsView(await agent.GetHandoffSettingsAsync() ?? AgentSettingsDefaults.Disabled, await agent.GetHelpDeskAsync()));
        });

        agents.MapPut("/helpdesk", async (string agentId, HelpDeskBody body, IGrainFactory grains, HandoffKeys keys, IConfiguration config, HttpRequest request, TimeProvider time, HelpDeskCatalog catalog) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var (kind, settings, errors) = body.Validate(catalog);
            foreach (var urlKey in new[] { "url", "baseUrl" }.Where(k => errors.Count == 0 && settings.ContainsKey(k)))
            {
                if (await OutboundUrlPolicy.CheckAsync(settings[urlKey], AllowPrivateTargets(config), request.HttpContext.RequestAborted) is { } urlProblem)
                {
                    errors[$"settings.{urlKey}"] = [urlProblem];
                }
            }

            if (errors.Count > 0) return Results.ValidationProblem(errors);
            var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
            await agent.SetHelpDeskAsync(kind, settings);
            var verified = await VerifyAsync(agentId, grains, keys, config, request, time);
            if (verified is { Status: HelpDeskConnection.Available } && catalog.Has(kind, HelpDeskCapabilities.NeedsConsent))
            {
                // A desk we registered our webhook with learns the new settings (e.g. signing on) at once.
                var registered = await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(agentId)).RegisterWebhookAsync(verified, ReceivingAddress(agentId, verified, keys, config, request));
                if (!registered.Available)
                {
                    verified = await agent.SetHelpDeskStatusAsync(HelpDeskConnection.Unavailable, registered.Detail, time.GetUtcNow());
                }
            }

            return Results.Ok(HelpDeskView(agentId, verified, keys, config, request));
        });

        agents.MapGet("/helpdesk", async (string agentId, IGrainFactory grains, HandoffKeys keys, IConfiguration config, HttpRequest request) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
            if (!await agent.ExistsAsync()) return UnknownAgent(agentId);
            return Results.Ok(HelpDeskView(agentId, await agent.GetHelpDeskAsync(), keys, config, request));
        });

        agents.MapPost("/helpdesk/verify", async (string agentId, IGrainFactory grains, HandoffKeys keys, IConfiguration config, HttpRequest request, TimeProvider time) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
            if (!await agent.ExistsAsync()) return UnknownAgent(agentId);
            var verified = await VerifyAsync(agentId, grains, keys, config, request, time);
            return Results.Ok(HelpDeskView(agentId, verified, keys, config, request));
        });

        agents.MapDelete("/helpdesk", async (string agentId, IGrainFactory grains, HandoffKeys keys, IConfiguration config, HttpRequest request) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
            if (!await agent.ExistsAsync()) return UnknownAgent(agentId);
            await agent.RemoveHelpDeskAsync();
            return Results.Ok(HelpDeskView(agentId, null, keys, config, request));
        });

        agents.MapGet("/service-windows", async (string agentId, string? date, IGrainFactory grains) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", out var day))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["date"] = ["must be a date yyyy-MM-dd"] });
            var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
            if (!await agent.ExistsAsync()) return UnknownAgent(agentId);
            var settings = await agent.GetHandoffSettingsAsync() ?? AgentSettingsDefaults.Disabled;
            var windows = ServiceSchedule.WindowsFor(day, settings.ServicePeriods.Select(AgentSettingsDefaults.ToServicePeriod).ToList());
            return Results.Ok(new { date = day.ToString("yyyy-MM-dd"), timeZone = settings.TimeZone, windows = windows.Select(w => new { start = w.Start, end = w.End }) });
        });

        return app;
    }

    /// <summary>
    /// Verifies the connection with the desk (in the agent's help-desk grain) and, in help-desk → help-desk mode, sets up
    /// what some desks need there (LiveChat: the bot agent and its webhooks at our receiving address) right after a
    /// good verification, so "available" means the mode can work.
    /// </summary>
    private static async Task<HelpDeskConnection?> VerifyAsync(string agentId, IGrainFactory grains,
        HandoffKeys keys, IConfiguration config, HttpRequest request, TimeProvider time)
    {
        var verified = await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(agentId)).VerifyConnectionAsync();
        var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
        if (verified is not { Status: HelpDeskConnection.Available } || (await agent.GetHandoffSettingsAsync())?.Mode != HandoffSettings.HelpDeskToHelpDesk)
        {
            return verified;
        }

        var prepared = await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(agentId)).PrepareMessengerAsync(verified, ReceivingAddress(agentId, verified, keys, config, request));
        return prepared is null
            ? verified
            : await agent.SetHelpDeskStatusAsync(prepared.Available ? HelpDeskConnection.Available : HelpDeskConnection.Unavailable,
                prepared.Available ? $"{verified.StatusDetail}; {prepared.Detail}" : prepared.Detail, time.GetUtcNow());
    }

    public static bool AllowPrivateTargets(IConfiguration config) =>
        config.GetValue<bool?>("Handoff:AllowPrivateNetworkTargets")
        ?? !string.Equals(config["Handoff:Storage"], "postgres", StringComparison.OrdinalIgnoreCase);

    internal static IResult UnknownAgent(string agentId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown agent", detail: $"No agent '{agentId}'.");

    private static object SettingsView(HandoffSettings s, HelpDeskConnection? helpDesk) => new
    {
        enabled = s.Enabled,
        mode = s.Mode,
        triggerDescription = s.TriggerDescription,
        waitTimeoutSeconds = s.WaitTimeoutSeconds,
        sessionTimeoutSeconds = s.SessionTimeoutSeconds,
        timeZone = s.TimeZone,
        servicePeriods = s.ServicePeriods.Select(p => p.Type == "date"
            ? (object)new { type = p.Type, date = p.Date, start = p.Start, end = p.End }
            : new { type = p.Type, days = p.Days, start = p.Start, end = p.End }),
        offHoursReply = s.OffHoursReply,
        historyMessageCount = s.HistoryMessageCount,
        texts = s.Texts,
        helpDeskStatus = helpDesk?.Status ?? HelpDeskConnection.NotConfigured,
    };

    /// <summary>The URL the operator pastes into the desk's webhook settings: where each kind receives is its descriptor's say.</summary>
    public static string ReceivingAddress(string agentId, HelpDeskConnection c, HandoffKeys keys, IConfiguration config, HttpRequest request)
    {
        var baseUrl = PublicBase(config, request);
        var receivingKey = keys.CreateReceivingKey(agentId, c.ReceivingSecret);
        return Catalog(request).Find(c.Kind)?.ReceivingAddress(baseUrl, receivingKey) ?? $"{baseUrl}/webhooks/{Uri.EscapeDataString(c.Kind)}/{receivingKey}";
    }

    // From the request's services, so the many callers of these views need no extra parameter.
    private static HelpDeskCatalog Catalog(HttpRequest request) => request.HttpContext.RequestServices.GetRequiredService<HelpDeskCatalog>();

    public static string PublicBase(IConfiguration config, HttpRequest request) =>
        (config["Handoff:PublicBaseUrl"] ?? $"{request.Scheme}://{request.Host}").TrimEnd('/');

    private static object HelpDeskView(string agentId, HelpDeskConnection? c, HandoffKeys keys, IConfiguration config, HttpRequest request)
    {
        if (c is null)
        {
            return new { kind = (string?)null, settings = new Dictionary<string, string>(), status = HelpDeskConnection.NotConfigured,
                statusDetail = (string?)null, checkedAt = (DateTimeOffset?)null, receivingAddress = (string?)null, receivingKey = (string?)null };
        }

        var receivingKey = keys.CreateReceivingKey(agentId, c.ReceivingSecret);
        var address = ReceivingAddress(agentId, c, keys, config, request);
        return new { kind = c.Kind, settings = HelpDeskBody.Masked(Catalog(request), c.Kind, c.Settings), status = c.Status, statusDetail = c.StatusDetail,
            checkedAt = c.CheckedAt, receivingAddress = address, receivingKey };
    }
}
