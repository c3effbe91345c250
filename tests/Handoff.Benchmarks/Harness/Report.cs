using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Handoff.Benchmarks.Harness;

/// <summary>One printed figure; <see cref="Meets"/> is null where the issue sets no target.</summary>
public sealed record Figure(string Id, string What, double Value, string Unit, string? Target = null, bool? Meets = null, string? Detail = null);

public sealed class Report
{
    private readonly List<Figure> figures = [];
    private readonly List<SearchResult> searches = [];
    private readonly List<string> problems = [];

    public IReadOnlyList<Figure> Figures => figures;
    public IReadOnlyList<string> Problems => problems;

    public void Add(Figure figure) => figures.Add(figure);

    public void Add(SearchResult search) => searches.Add(search);

    /// <summary>A number that is not sane (zero rate, an activation, an early timer): fails <c>--smoke</c>.</summary>
    public void Problem(string text)
    {
        problems.Add(text);
        Console.WriteLine("  PROBLEM: " + text);
    }

    public void PrintTable(TextWriter output)
    {
        var rows = figures.Select(f => new[]
        {
            f.Id, f.What, Format(f.Value) + " " + f.Unit, f.Target ?? "", f.Meets switch { true => "yes", false => "NO", null => "" }, f.Detail ?? "",
        }).ToList();
        string[] header = ["id", "figure", "value", "target", "met", "detail"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        void Line(string[] cells) => output.WriteLine("| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |");
        Line(header);
        output.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows) Line(row);
    }

    public string Json(MachineInfo machine, RunSettings settings, IEnumerable<string> scenarios) => JsonSerializer.Serialize(new
    {
        machine,
        settings = new { stepSeconds = settings.StepDuration.TotalSeconds, settings.StartRate, settings.MaxSteps, timeoutSeconds = settings.Timeout.TotalSeconds, settings.Smoke },
        scenarios,
        figures,
        searches,
        problems,
    }, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static string Format(double value) =>
        Math.Abs(value) >= 100 || value == Math.Floor(value) ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);
}
