using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Handoff.Host.Security;

/// <summary>Two schemes: the operator's admin key, and the chat token of one conversation.</summary>
public static class AuthenticationSetup
{
    public const string AdminScheme = "AdminKey";
    public const string ChatScheme = "ChatToken";
    public const string AdminPolicy = "admin";
    public const string ChatPolicy = "chat";
    public const string ConversationClaim = "conversation";
    public const string AgentClaim = "agent";

    public static IServiceCollection AddHandoffAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<HandoffKeys>();
        services.AddSingleton(sp => sp.GetRequiredService<HandoffKeys>().SecretProtector);
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, AdminKeyHandler>(AdminScheme, null)
            .AddScheme<AuthenticationSchemeOptions, ChatTokenHandler>(ChatScheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.AddAuthenticationSchemes(AdminScheme).RequireAuthenticatedUser())
            .AddPolicy(ChatPolicy, p => p.AddAuthenticationSchemes(ChatScheme).RequireClaim(ConversationClaim));
        return services;
    }

    internal static string? BearerOrQueryToken(HttpRequest request, bool allowQuery)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return allowQuery ? request.Query["access_token"].FirstOrDefault() : null;
    }

    private sealed class AdminKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, HandoffKeys keys)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var token = BearerOrQueryToken(Request, allowQuery: false);
            if (token is null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            return Task.FromResult(keys.IsAdminKey(token)
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, "admin")], Scheme.Name)), Scheme.Name))
                : AuthenticateResult.Fail("wrong admin key"));
        }
    }

    private sealed class ChatTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, HandoffKeys keys, TimeProvider time)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var token = BearerOrQueryToken(Request, allowQuery: true);
            if (token is null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            if (keys.ReadChatToken(token, time.GetUtcNow()) is not { } payload)
            {
                return Task.FromResult(AuthenticateResult.Fail("invalid or expired chat token"));
            }

            var identity = new ClaimsIdentity([new Claim(ConversationClaim, payload.Cid), new Claim(AgentClaim, payload.Aid)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
