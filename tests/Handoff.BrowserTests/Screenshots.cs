using Microsoft.Playwright;

namespace Handoff.BrowserTests;

/// <summary>Screenshots go to docs/screenshots with HANDOFF_SCREENSHOTS=1 (to refresh the README's), else beside the tests.</summary>
internal static class Screenshots
{
    public static async Task TakeAsync(IPage page, string name, bool fullPage = false)
    {
        var folder = Environment.GetEnvironmentVariable("HANDOFF_SCREENSHOTS") == "1"
            ? Path.Combine(RepoRoot(), "docs", "screenshots")
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = fullPage });
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Handoff.Orleans.sln"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}
