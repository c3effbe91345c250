namespace Handoff.HelpDesks.ZohoSalesIq;

/// <summary>
/// Zoho's data centres (docs/helpdesks.md 3.1): the SalesIQ API host and the accounts (OAuth) host of each region.
/// CA and SA come from other Zoho products' tables, not SalesIQ's ([?]); the configuration can override both hosts.
/// </summary>
public static class ZohoRegions
{
    public sealed record Hosts(string Api, string Accounts);

    public static readonly IReadOnlyDictionary<string, Hosts> All = new Dictionary<string, Hosts>
    {
        ["us"] = new("https://salesiq.zoho.com", "https://accounts.zoho.com"),
        ["eu"] = new("https://salesiq.zoho.eu", "https://accounts.zoho.eu"),
        ["in"] = new("https://salesiq.zoho.in", "https://accounts.zoho.in"),
        ["au"] = new("https://salesiq.zoho.com.au", "https://accounts.zoho.com.au"),
        ["cn"] = new("https://salesiq.zoho.com.cn", "https://accounts.zoho.com.cn"),
        ["jp"] = new("https://salesiq.zoho.jp", "https://accounts.zoho.jp"),
        ["ca"] = new("https://salesiq.zohocloud.ca", "https://accounts.zohocloud.ca"),
        ["sa"] = new("https://salesiq.zoho.sa", "https://accounts.zoho.sa"),
    };
}
