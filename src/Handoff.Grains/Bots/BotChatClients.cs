using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Handoff.Contracts.Agents;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace Handoff.Grains.Bots;

/// <summary>Gives each agent's bot settings its <see cref="IChatClient"/> pipeline, built once and reused.</summary>
public sealed class BotChatClients(IHttpClientFactory httpClients, ILoggerFactory loggers)
{
    public const string HttpClientName = "bot-openai";
    internal const string NoKey = "handoff-no-api-key";

    private readonly IChatClient builtin = new BuiltinChatClient();
    private readonly ConcurrentDictionary<BotSettings, IChatClient> models = new();

    public IChatClient For(BotSettings settings) => settings.Kind == BotSettings.OpenAiCompatible
        ? models.GetOrAdd(settings with { SystemPrompt = null }, Create)
        : builtin;

    private IChatClient Create(BotSettings settings)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(settings.BaseUrl!),
            Transport = new HttpClientPipelineTransport(httpClients.CreateClient(HttpClientName)),
            NetworkTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        var chat = new OpenAI.Chat.ChatClient(settings.Model!, new ApiKeyCredential(settings.ApiKey ?? NoKey), options);
        return chat.AsIChatClient().AsBuilder().UseLogging(loggers).Build();
    }
}

/// <summary>Removes the placeholder credential: a model without an API key gets no Authorization header at all.</summary>
public sealed class DropPlaceholderAuthorization : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization?.Parameter == BotChatClients.NoKey)
        {
            request.Headers.Authorization = null;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
