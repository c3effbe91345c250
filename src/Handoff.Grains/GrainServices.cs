using Handoff.Grains.Agents;
using Handoff.Grains.Bots;
using Handoff.Grains.HelpDesks;
using Handoff.HelpDesks;
using Handoff.Grains.Transcripts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Handoff.Grains;

/// <summary>What the grains need from the silo's container, for a host or a test silo alike.</summary>
public static class GrainServices
{
    /// <param name="postgresConnectionString">Null: the transcript lives in memory.</param>
    public static IServiceCollection AddHandoffGrainServices(this IServiceCollection services, string? postgresConnectionString)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<Handoff.Grains.Conversations.ConversationOptions>().BindConfiguration("Handoff:Conversations");
        services.TryAddSingleton(sp =>
        {
            // The host registers one from its own keys; test silos get one from configuration.
            var config = sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
            return SecretProtector.FromSecret(config["Handoff:SigningKey"] ?? config["Handoff:AdminApiKey"] ?? "handoff-test-silo");
        });
        services.AddHelpDesks();
        services.TryAddSingleton<IHelpDeskTokens, GrainHelpDeskTokens>();
        services.TryAddTransient<DropPlaceholderAuthorization>();
        services.AddHttpClient(BotChatClients.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler<DropPlaceholderAuthorization>();
        services.TryAddSingleton<BotChatClients>();
        if (postgresConnectionString is null)
        {
            services.TryAddSingleton<ITranscriptStore, MemoryTranscriptStore>();
        }
        else
        {
            services.TryAddSingleton(_ => NpgsqlDataSource.Create(postgresConnectionString));
            services.TryAddSingleton<ITranscriptStore, PostgresTranscriptStore>();
        }

        return services;
    }
}
