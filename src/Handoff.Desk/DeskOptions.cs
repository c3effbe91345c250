namespace Handoff.Desk;

/// <summary>The <c>Desk</c> configuration section.</summary>
public sealed class DeskOptions
{
    public const string SectionName = "Desk";
    public const string DefaultBasePath = "/human/service";
    public const string DefaultHumanName = "Desk agent";

    /// <summary>Where the Handoff service listens; <c>/v1/human/...</c> is appended.</summary>
    public string? HandoffBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The <c>receivingKey</c> of the agent's webhook help-desk connection, sent as a bearer token.</summary>
    public string? ReceivingKey { get; set; }

    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? SigningSecret { get; set; }
    public string BasePath { get; set; } = DefaultBasePath;
    public string HumanName { get; set; } = DefaultHumanName;

    public bool BasicAuthRequired => !string.IsNullOrEmpty(Username) || !string.IsNullOrEmpty(Password);
    public bool SigningEnabled => !string.IsNullOrEmpty(SigningSecret);

    internal Uri? HandoffBaseUri { get; private set; }

    /// <summary>Binds and checks the section once, so a typo stops start-up instead of failing the first call.</summary>
    internal static DeskOptions Load(IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<DeskOptions>() ?? new DeskOptions();

        var basePath = (options.BasePath ?? "").Trim().TrimEnd('/');
        if (basePath.Length > 0 && basePath[0] != '/')
            basePath = "/" + basePath;
        // The root belongs to the human's page, so the webhook needs a path of its own.
        if (basePath.Length == 0)
            throw new InvalidOperationException($"{SectionName}:BasePath must be a path below the root, e.g. {DefaultBasePath}.");
        options.BasePath = basePath;

        if (string.IsNullOrWhiteSpace(options.HumanName))
            options.HumanName = DefaultHumanName;

        if (!string.IsNullOrWhiteSpace(options.HandoffBaseUrl))
        {
            if (!Uri.TryCreate(options.HandoffBaseUrl.Trim(), UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new InvalidOperationException($"{SectionName}:HandoffBaseUrl must be an absolute http(s) URL, got '{options.HandoffBaseUrl}'.");
            // A trailing slash keeps a base path (a proxy prefix) when the relative /v1/... paths are resolved.
            options.HandoffBaseUri = new Uri(uri.AbsoluteUri.TrimEnd('/') + "/");
        }

        return options;
    }
}
