using Handoff.Contracts.Agents;
using Handoff.Grains.Agents;
using Handoff.Grains.Bots;
using Handoff.Host.Security;
using Handoff.HelpDesks;

namespace Handoff.Host.Api;

/// <summary>The bot of an agent (docs/api.md section 2b) and the hand-off tool for platforms with their own model.</summary>
public static class BotEndpoints
{
    public sealed record BotBody(string? Kind, string? BaseUrl, string? Model, string? ApiKey, string? SystemPrompt, int? TimeoutSeconds);

    public static IEndpointRouteBuilder MapBotEndpoints(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/api/agents/{agentId}").RequireAuthorization(AuthenticationSetup.AdminPolicy);

        agents.MapPut("/bot", async (string agentId, BotBody body, IGrainFactory grains, IConfiguration config, HttpRequest request) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var errors = new Dictionary<string, string[]>();
            var kind = body.Kind ?? BotSettings.Builtin;
            if (kind is not (BotSettings.Builtin or BotSettings.OpenAiCompatible)) errors["kind"] = ["must be 'builtin' or 'openai-compatible'"];
            if (body.TimeoutSeconds is < 1 or > 120) errors["timeoutSeconds"] = ["must be 1 to 120"];
            if (body.SystemPrompt is { Length: > 8000 }) errors["systemPrompt"] = ["at most 8000 characters"];
            if (body.ApiKey is { Length: > 4000 }) errors["apiKey"] = ["at most 4000 characters"];
            if (kind == BotSettings.OpenAiCompatible)
            {
                if (string.IsNullOrWhiteSpace(body.Model)) errors["model"] = ["is required"];
                if (string.IsNullOrWhiteSpace(body.BaseUrl)) errors["baseUrl"] = ["is required"];
                else if (await OutboundUrlPolicy.CheckAsync(body.BaseUrl, AgentEndpoints.AllowPrivateTargets(config), request.HttpContext.RequestAborted) is { } problem)
                    errors["baseUrl"] = [problem];
            }

            if (errors.Count > 0) return Results.ValidationProblem(errors);
            var settings = kind == BotSettings.Builtin
                ? BotSettings.Default with { SystemPrompt = body.SystemPrompt, TimeoutSeconds = body.TimeoutSeconds ?? 30 }
                : new BotSettings(kind, body.BaseUrl!.TrimEnd('/'), body.Model, string.IsNullOrEmpty(body.ApiKey) ? null : body.ApiKey,
                    body.SystemPrompt, body.TimeoutSeconds ?? 30);
            await grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId)).SetBotSettingsAsync(settings);
            return Results.Ok(View(settings));
        });

        agents.MapGet("/bot", async (string agentId, IGrainFactory grains) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
            if (!await agent.ExistsAsync()) return AgentEndpoints.UnknownAgent(agentId);
            return await agent.GetBotSettingsAsync() is { } settings ? Results.Ok(View(settings)) : Results.Ok(new { kind = BotSettings.Builtin });
        });

        agents.MapGet("/handoff/tool", async (string agentId, IGrainFactory grains) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
            if (!await agent.ExistsAsync()) return AgentEndpoints.UnknownAgent(agentId);
            var settings = await agent.GetHandoffSettingsAsync() ?? AgentSettingsDefaults.Disabled;
            return Results.Ok(HandoffTool.Definition(settings.TriggerDescription));
        });

        return app;
    }

    private static object View(BotSettings s) => new
    {
        kind = s.Kind,
        baseUrl = s.BaseUrl,
        model = s.Model,
        apiKey = s.ApiKey is null ? null : HelpDeskBody.Mask(s.ApiKey),
        systemPrompt = s.SystemPrompt,
        timeoutSeconds = s.TimeoutSeconds,
    };
}
