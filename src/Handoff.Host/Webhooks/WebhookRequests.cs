using Handoff.Contracts.Conversations;

namespace Handoff.Host.Webhooks;

/// <summary>What every help-desk receiver does the same way: read the raw body within a limit, and turn a
/// conversation's refusal into the status the contract gives it.</summary>
internal static class WebhookRequests
{
    /// <summary>The raw bytes (signatures are over them), or null when the body is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.Length > maxBytes ? null : buffer.ToArray();
    }

    /// <summary>Records one human event; the status of a refusal, or null once it is recorded.</summary>
    public static async Task<(int Status, string Message)?> RecordAsync(IGrainFactory grains, string conversationId, HumanEvent humanEvent)
    {
        try
        {
            await grains.GetGrain<IConversationGrain>(conversationId).ReceiveHumanEventAsync(humanEvent);
            return null;
        }
        catch (ConversationRefusedException ex)
        {
            return ex.Code switch
            {
                ConversationRefusedException.Ended => (409, "the hand-off has ended"),
                ConversationRefusedException.NotFound => (404, "unknown conversation"),
                _ => (400, ex.Message),
            };
        }
    }
}
