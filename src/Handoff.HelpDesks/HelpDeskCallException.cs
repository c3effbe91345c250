namespace Handoff.HelpDesks;

/// <summary>A help-desk call that did not succeed: refused, timed out, or answered with a non-success status.</summary>
public sealed class HelpDeskCallException(string message, int? statusCode = null, Exception? inner = null) : Exception(message, inner)
{
    public int? StatusCode { get; } = statusCode;
}
