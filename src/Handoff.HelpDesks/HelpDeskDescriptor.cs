using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Handoff.HelpDesks;

/// <summary>
/// Everything the service needs to know about one help-desk kind, exported by the desk's own folder: its name, its
/// settings rules, its capabilities, how its webhooks are read, how it is registered in the container, and (for
/// desks that need it) its consent and in-webhook bot. Adding a desk is its folder plus one registration
/// (<see cref="HelpDeskServiceCollectionExtensions.AddHelpDesk"/>); nothing outside the folder names it.
/// </summary>
public abstract class HelpDeskDescriptor
{
    /// <summary>The kind as the API, the receiving address and the chat channel name it (<c>zoho-salesiq</c>).</summary>
    public abstract string Kind { get; }

    /// <summary>The desk's name for people (the console, consent pages).</summary>
    public abstract string DisplayName { get; }

    public abstract HelpDeskCapabilities Capabilities { get; }

    public abstract HelpDeskSettingsRules Settings { get; }

    /// <summary>One short line per settings key for the console: where in the desk the value is found.</summary>
    public virtual IReadOnlyDictionary<string, string> Help => new Dictionary<string, string>();

    /// <summary>Starting values the console fills in when the operator picks the kind (keys not listed start empty).</summary>
    public virtual IReadOnlyDictionary<string, string> Examples => new Dictionary<string, string>();

    /// <summary>The settings key of the department (service group) the operator picks from the desk's list, if the desk has one.</summary>
    public virtual string? DepartmentKey => null;

    /// <summary>
    /// True when the desk has a widget or messenger of its own that a chat can start in, so its kind is also a chat
    /// channel (every desk but the generic webhook protocol, which is only a server).
    /// </summary>
    public virtual bool HasOwnChannel => true;

    /// <summary>Only for desks with <see cref="HelpDeskCapabilities.NeedsConsent"/>: how the operator grants us access.</summary>
    public virtual HelpDeskConsent? Consent => null;

    /// <summary>Only for desks with <see cref="HelpDeskCapabilities.AnswersInsideWebhook"/>: the bot call answered in the webhook's answer.</summary>
    public virtual HelpDeskInlineBot? InlineBot => null;

    public bool Has(HelpDeskCapabilities capability) => (Capabilities & capability) == capability;

    /// <summary>
    /// Checks that go beyond the key rules (a region from a list, a key that must parse); adds to
    /// <paramref name="errors"/> keyed <c>settings.{key}</c>. The keys themselves were checked already.
    /// </summary>
    public virtual void Validate(IReadOnlyDictionary<string, string> settings, IDictionary<string, string[]> errors)
    {
    }

    /// <summary>Registers the desk's <see cref="IHelpDeskClient"/>, its named HttpClient and resilience, and whatever else it needs.</summary>
    public abstract void Register(IServiceCollection services);

    /// <summary>The usual registration: the desk's client, and its named HttpClient with the shared retry and breaker.</summary>
    protected static void RegisterClient<TClient>(IServiceCollection services, string httpClientName) where TClient : class, IHelpDeskClient
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHelpDeskClient, TClient>());
        services.AddHttpClient(httpClientName).AddHelpDeskResilience();
    }

    /// <summary>
    /// True when the desk calls us at <c>/webhooks/{kind}/{receivingKey}</c> and <see cref="ReadWebhook"/> reads it;
    /// the generic webhook protocol has its own paths instead.
    /// </summary>
    public virtual bool ReceivesAtWebhookPath => true;

    /// <summary>True for desks that check the receiving address with a <c>HEAD</c> request and want a 200.</summary>
    public virtual bool AnswersHeadCheck => false;

    /// <summary>The URL the operator pastes into the desk's webhook settings.</summary>
    public virtual string ReceivingAddress(string publicBase, string receivingKey) =>
        $"{publicBase}/webhooks/{Uri.EscapeDataString(Kind)}/{receivingKey}";

    /// <summary>
    /// Reads one webhook call after the receiving key was checked: the desk's own signature, then the body. A verdict
    /// with <see cref="WebhookVerdict.Batch"/> carries other conversations' traffic too (their items are skipped).
    /// </summary>
    public virtual WebhookVerdict ReadWebhook(IReadOnlyDictionary<string, string> settings, IHeaderDictionary headers, byte[] rawBody, DateTimeOffset now) =>
        new(404, $"help-desk kind '{Kind}' receives no webhooks at this address", []);
}

/// <summary>
/// A desk whose API access the operator grants in the desk's own OAuth consent page: where to send the operator,
/// where the desk sends them back, and which settings a grant belongs to.
/// </summary>
public abstract class HelpDeskConsent
{
    /// <summary>Who the operator authorises, as the console's button says it ("Authorise with Zoho").</summary>
    public abstract string ProviderName { get; }

    /// <summary>Our path the desk sends the browser back to (registered at the desk, so it never changes).</summary>
    public abstract string RedirectPath { get; }

    /// <summary>Settings a grant was given for: a new value of any of them needs a new consent, other changes keep it.</summary>
    public abstract IReadOnlyList<string> GrantBoundTo { get; }

    /// <summary>The desk's consent page for these settings, sending the browser back to <paramref name="redirectUri"/> with <paramref name="state"/>.</summary>
    public abstract string AuthorizeUrl(IReadOnlyDictionary<string, string> settings, IConfiguration configuration, string redirectUri, string state);
}

/// <summary>
/// A desk bot that speaks only in the answer to its webhook call (SalesIQ's Zobot): the receiver recognises such a
/// call, records the visitor's message, waits a bounded time for the conversation's answer and formats it.
/// </summary>
public abstract class HelpDeskInlineBot
{
    /// <summary>What the bot says when the model is slower than the desk's window; its words follow with the next answer.</summary>
    public virtual string HoldingReply => "One moment, please.";

    /// <summary>True when this call to the receiving address is the bot's, not a data webhook.</summary>
    public abstract bool Recognises(IHeaderDictionary headers, byte[] rawBody);

    /// <summary>Checks the call's signature and reads it; a refusal is a verdict with its status.</summary>
    public abstract (InlineBotCall? Call, WebhookVerdict? Refusal) Read(IReadOnlyDictionary<string, string> settings, IHeaderDictionary headers, byte[] rawBody);

    /// <summary>How long the call may wait for the bot's turn before the holding reply.</summary>
    public abstract TimeSpan AnswerWithin(IConfiguration configuration);

    /// <summary>The JSON the desk acts on: the texts as a reply, or a hand-over with the texts before it.</summary>
    public abstract object Answer(IReadOnlyList<string> replies, bool handOver, IReadOnlyDictionary<string, string> settings);
}

/// <summary>A visitor's message as a desk's in-webhook bot call delivers it.</summary>
/// <param name="Text">Null for a call that carries no visitor text (a trigger, a context call).</param>
public sealed record InlineBotCall(string ConversationId, string? Text, string MessageId, string? VisitorEmail);
