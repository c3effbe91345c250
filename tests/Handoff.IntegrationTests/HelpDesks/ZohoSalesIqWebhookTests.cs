using System.Security.Cryptography;
using System.Text;
using Handoff.HelpDesks;
using Handoff.HelpDesks.ZohoSalesIq;

namespace Handoff.IntegrationTests.HelpDesks;

public sealed class ZohoSalesIqWebhookTests
{
    private static readonly Dictionary<string, string> NoKey = new();

    [Fact]
    public void Ids_above_two_to_the_53_keep_every_digit()
    {
        var body = """{"entity_type":"conversation","event":"conversation.operator.replied","entity_id":19367000000130079123,"app_id":19367000000002043,"entity":{"message":{"msgid":1566841905333000001,"text":"<b>hi</b>","sender":{"name":"Patricia"}}}}""";
        var verdict = ZohoSalesIqWebhook.Read(NoKey, null, Encoding.UTF8.GetBytes(body));
        var e = Assert.Single(verdict.Events);
        Assert.Equal("19367000000130079123", e.DeskConversationId);
        Assert.Equal("zoho:1566841905333000001", e.DedupeKey);
        Assert.Equal("<b>hi</b>", e.Text); // SalesIQ's text is plain: shown as written
        Assert.Equal("Patricia", e.SenderName);
    }

    [Fact]
    public void A_message_without_text_is_accepted_and_not_shown_and_unknown_events_are_ignored()
    {
        var file = """{"event":"conversation.operator.replied","entity_id":"7","entity":{"message":{"msgid":"1","file":{"name":"a.png"}}}}""";
        Assert.Equal(200, ZohoSalesIqWebhook.Read(NoKey, null, Encoding.UTF8.GetBytes(file)).Status);
        Assert.Empty(ZohoSalesIqWebhook.Read(NoKey, null, Encoding.UTF8.GetBytes(file)).Events);
        var rated = """{"event":"conversation.rated","entity_id":"7","entity":{}}""";
        Assert.Empty(ZohoSalesIqWebhook.Read(NoKey, null, Encoding.UTF8.GetBytes(rated)).Events);
        var missed = """{"event":"conversation.missed","entity":{"id":"7","status":"Missed"}}""";
        Assert.Equal(HelpDeskEventKind.Missed, Assert.Single(ZohoSalesIqWebhook.Read(NoKey, null, Encoding.UTF8.GetBytes(missed)).Events).Kind);
        Assert.Equal(400, ZohoSalesIqWebhook.Read(NoKey, null, Encoding.UTF8.GetBytes("""{"event":"conversation.completed"}""")).Status);
        Assert.Equal(400, ZohoSalesIqWebhook.Read(NoKey, null, Encoding.UTF8.GetBytes("not json")).Status);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("spki")]
    [InlineData("pkcs1")]
    public void The_public_key_is_read_as_pem_or_bare_base64_and_checks_the_signature_over_the_exact_bytes(string format)
    {
        using var key = RSA.Create(2048);
        var text = format switch
        {
            "pem" => key.ExportSubjectPublicKeyInfoPem(),
            "spki" => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()),
            _ => Convert.ToBase64String(key.ExportRSAPublicKey()),
        };
        var settings = new Dictionary<string, string> { ["publicKey"] = text };
        var body = Encoding.UTF8.GetBytes("""{"event":"conversation.completed","entity_id":"7"}""");
        var signature = Convert.ToBase64String(key.SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        Assert.Equal(200, ZohoSalesIqWebhook.Read(settings, signature, body).Status);
        Assert.Equal(401, ZohoSalesIqWebhook.Read(settings, null, body).Status);
        Assert.Equal(401, ZohoSalesIqWebhook.Read(settings, "not-base64!", body).Status);
        var altered = body.ToArray();
        altered[^3] = (byte)'8';
        Assert.Equal(401, ZohoSalesIqWebhook.Read(settings, signature, altered).Status);
    }
}
