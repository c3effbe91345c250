using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Handoff.Desk;

/// <summary>A line of the conversation list, enough to draw the queues without fetching every conversation.</summary>
public sealed record DeskConversationSummary(
    string ConversationId,
    string? Email,
    string? BotId,
    string State,
    string? ClosedBy,
    string? CloseType,
    bool Waiting,
    DateTimeOffset OpenedAt,
    DateTimeOffset LastActivityAt,
    int MessageCount,
    string? LastFrom,
    string? Preview)
{
    private const int PreviewLength = 120;

    public static DeskConversationSummary From(DeskConversation c)
    {
        var last = c.Items.Count > 0 ? c.Items[^1] : null;
        var preview = last?.Text is { Length: > PreviewLength } text ? text[..PreviewLength] + "…" : last?.Text;
        return new(c.ConversationId, c.Email, c.BotId, c.State, c.ClosedBy, c.CloseType, c.Waiting,
            c.OpenedAt, c.LastActivityAt, c.MessageCount, last?.From, preview);
    }
}

internal sealed record ReplyRequest(string? Text);

/// <summary>
/// The JSON API the human's page uses under <c>/api/desk</c>. It never returns configuration secrets: the page is
/// served to whoever sits at the desk, and the receiving key and Basic password belong to the service connection.
/// </summary>
internal static class ConsoleEndpoints
{
    public const int MaxReplyLength = 10_000;
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static WebApplication MapDeskConsole(this WebApplication app)
    {
        var api = app.MapGroup("/api/desk").AddEndpointFilter(async (invocation, next) =>
        {
            // The page polls; a cached answer would freeze the queue.
            invocation.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(invocation);
        });

        api.MapGet("/info", (IOptions<DeskOptions> options) =>
        {
            var o = options.Value;
            return Results.Ok(new
            {
                humanName = o.HumanName,
                webhookBasePath = o.BasePath,
                handoffBaseUrl = o.HandoffBaseUri?.ToString(),
                basicAuth = o.BasicAuthRequired,
                signing = o.SigningEnabled,
                receivingKeySet = !string.IsNullOrEmpty(o.ReceivingKey),
            });
        });

        api.MapGet("/conversations", (DeskStore store) =>
            Results.Ok(store.Snapshot().Select(DeskConversationSummary.From)));

        api.MapGet("/conversations/{id}", (string id, DeskStore store) =>
            store.Get(id) is { } conversation ? Results.Ok(conversation) : NotFound(id));

        api.MapPost("/conversations/{id}/reply", Reply);
        api.MapPost("/conversations/{id}/messages/{messageId}/retry", Retry);
        api.MapPost("/conversations/{id}/close", Close);
        return app;
    }

    private static async Task<IResult> Reply(string id, HttpRequest http, DeskStore store, HandoffClient handoff,
        IOptions<DeskOptions> options, TimeProvider time)
    {
        // Parsed by hand so a broken body is a 400 problem naming the field, in every environment.
        ReplyRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<ReplyRequest>(http.Body, JsonOptions, http.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return Invalid("text", "Send a JSON body like {\"text\": \"...\"}.");
        }

        var text = request?.Text?.Trim();
        if (string.IsNullOrEmpty(text))
            return Invalid("text", "Write a reply first.");
        if (text.Length > MaxReplyLength)
            return Invalid("text", $"A reply can be at most {MaxReplyLength} characters.");

        var (change, item) = store.AddHumanReply(id, text, options.Value.HumanName, time.GetUtcNow());
        return change switch
        {
            DeskChange.NotFound => NotFound(id),
            DeskChange.Closed => ClosedConflict(id),
            _ => await DeliverAsync(id, item!, store, handoff),
        };
    }

    private static async Task<IResult> Retry(string id, string messageId, DeskStore store, HandoffClient handoff)
    {
        var conversation = store.Get(id);
        if (conversation is null)
            return NotFound(id);
        var item = conversation.Items.FirstOrDefault(i => i.From == DeskItem.FromHuman && i.MessageId == messageId);
        if (item is null)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such reply",
                detail: $"Conversation '{id}' has no human reply with message id '{messageId}'.");
        if (item.Delivered)
            return Results.Ok(item);
        if (conversation.State != DeskConversation.StateOpen)
            return ClosedConflict(id);
        return await DeliverAsync(id, item, store, handoff);
    }

    private static async Task<IResult> Close(string id, DeskStore store, HandoffClient handoff, TimeProvider time)
    {
        var conversation = store.Get(id);
        if (conversation is null)
            return NotFound(id);
        if (conversation.State != DeskConversation.StateOpen)
            return ClosedConflict(id);

        var result = await handoff.CloseAsync(id);
        if (!result.Ok)
            return ServiceRefused("The Handoff service did not accept the close", result, null);

        // The service may already have told us it ended (a close racing ours); either way it is closed now.
        store.CloseFromHuman(id, time.GetUtcNow());
        return Results.Ok(store.Get(id));
    }

    private static async Task<IResult> DeliverAsync(string id, DeskItem item, DeskStore store, HandoffClient handoff)
    {
        var result = await handoff.SendMessageAsync(id, item);
        var updated = store.RecordDelivery(id, item.MessageId!, result.Ok, result.Ok ? null : result.Describe()) ?? item;
        return result.Ok || updated.Delivered
            ? Results.Ok(updated)
            : ServiceRefused("The Handoff service did not accept the reply", result, updated);
    }

    private static IResult ServiceRefused(string title, DeliveryResult result, DeskItem? item) =>
        Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: title, detail: result.Describe(),
            extensions: new Dictionary<string, object?>
            {
                ["serviceStatus"] = result.Status,
                ["serviceBody"] = result.Body,
                ["error"] = result.Error,
                ["messageId"] = item?.MessageId,
                ["item"] = item,
            });

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such conversation",
            detail: $"The desk has no conversation '{id}'.");

    private static IResult ClosedConflict(string id) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conversation closed",
            detail: $"Conversation '{id}' is closed.");
}
