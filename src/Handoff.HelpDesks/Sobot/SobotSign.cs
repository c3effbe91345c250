using System.Security.Cryptography;
using System.Text;

namespace Handoff.HelpDesks.Sobot;

/// <summary>Sobot's two MD5 signatures (docs/helpdesks.md 5.1, 5.4), as 32 lowercase hex characters.</summary>
public static class SobotSign
{
    /// <summary>The <c>sign</c> of <c>get_token</c>: md5(appid + create_time + app_key).</summary>
    public static string Token(string appId, string createTime, string appKey) => Md5(appId + createTime + appKey);

    /// <summary><c>X-Log-Sign</c> of a forwarded callback: md5(companyId + X-Log-TimeStamp + X-Log-RandomCode + key).</summary>
    public static string Forwarding(string companyId, string timestamp, string randomCode, string forwardingKey) =>
        Md5(companyId + timestamp + randomCode + forwardingKey);

    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}
