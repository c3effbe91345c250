using Handoff.Grains.Bots;
using Handoff.Grains.HelpDesks;
using Handoff.Grains.Transcripts;
using Handoff.HelpDesks.Webhook;
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
        services.AddHttpClient(WebhookHelpDeskClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddSingleton<IHelpDeskGateway, HelpDeskGateway>();
        services.TryAddSingleton<IConversationBot, BuiltinConversationBot>();
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
