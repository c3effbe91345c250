using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Handoff.Desk;

/// <summary>
/// Authenticates every call from the Handoff service before a handler sees it: Basic credentials first, then the
/// signature over the raw bytes. The bytes are kept in <see cref="HttpContext.Items"/> because the signature has to be
/// checked on exactly what arrived, before any JSON parsing.
/// </summary>
internal sealed class InboundGuard(IOptions<DeskOptions> options, TimeProvider time, ILogger<InboundGuard> logger) : IEndpointFilter
{
    private const string RawBodyKey = "Handoff.Desk.RawBody";
    private const int MaxBodyBytes = 1024 * 1024;

    public static byte[] RawBody(HttpContext context) => context.Items[RawBodyKey] as byte[] ?? [];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var desk = options.Value;

        if (desk.BasicAuthRequired && !BasicCredentialsMatch(context.Request, desk))
        {
            logger.LogWarning("Rejected {Method} {Path}: missing or wrong Basic credentials.", context.Request.Method, context.Request.Path);
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"handoff-desk\", charset=\"UTF-8\"";
            return ProtocolReply.Fail(StatusCodes.Status401Unauthorized, "Basic credentials missing or wrong.");
        }

        var body = await ReadBodyAsync(context.Request);
        if (body is null)
            return ProtocolReply.Fail(StatusCodes.Status413PayloadTooLarge, $"Body larger than {MaxBodyBytes} bytes.");

        if (desk.SigningEnabled && NeedsSignature(context.Request))
        {
            var header = context.Request.Headers[WebhookSignature.HeaderName].ToString();
            if (!WebhookSignature.Verify(desk.SigningSecret!, header, body, time.GetUtcNow()))
            {
                logger.LogWarning("Rejected {Method} {Path}: missing, wrong or stale {Header}.",
                    context.Request.Method, context.Request.Path, WebhookSignature.HeaderName);
                return ProtocolReply.Fail(StatusCodes.Status401Unauthorized, "Signature missing, wrong or stale.");
            }
        }

        context.Items[RawBodyKey] = body;
        return await next(invocation);
    }

    // The verification probe is specified as a plain GET with the Basic credentials; demanding a signature there would
    // mark a correctly configured desk unavailable. A signature the service does send on it is still checked.
    private static bool NeedsSignature(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        || request.Headers.ContainsKey(WebhookSignature.HeaderName);

    private static bool BasicCredentialsMatch(HttpRequest request, DeskOptions desk)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Basic ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return false;

        byte[] given;
        try
        {
            given = Convert.FromBase64String(header[scheme.Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }
        var expected = Encoding.UTF8.GetBytes($"{desk.Username}:{desk.Password}");
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
            return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
