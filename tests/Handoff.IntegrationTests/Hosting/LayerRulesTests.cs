using System.Reflection;

namespace Handoff.IntegrationTests.Hosting;

/// <summary>
/// The layers of the solution, read from what each assembly really references: the rules stay pure, the desks know
/// nothing of grains or the web, grains nothing of the web.
/// </summary>
public sealed class LayerRulesTests
{
    private static readonly Assembly Core = typeof(Handoff.Core.Handoffs.HandoffMachine).Assembly;
    private static readonly Assembly Contracts = typeof(Handoff.Contracts.Conversations.IConversationGrain).Assembly;
    private static readonly Assembly HelpDesks = typeof(Handoff.HelpDesks.HelpDeskCatalog).Assembly;
    private static readonly Assembly Grains = typeof(Handoff.Grains.GrainStorage).Assembly;

    private static IReadOnlyList<string> References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

    [Fact]
    public void The_core_references_neither_orleans_nor_asp_net_nor_any_other_project()
    {
        Assert.DoesNotContain(References(Core), r => r.StartsWith("Orleans", StringComparison.Ordinal) ||
            r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || r.StartsWith("Handoff.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_help_desks_reference_neither_grains_nor_the_host_nor_orleans()
    {
        Assert.DoesNotContain(References(HelpDesks), r => r is "Handoff.Grains" or "Handoff.Host" or "Handoff.Contracts" ||
            r.StartsWith("Orleans", StringComparison.Ordinal));
    }

    [Fact]
    public void The_grains_do_not_reference_the_host_and_the_contracts_reference_no_implementation()
    {
        Assert.DoesNotContain("Handoff.Host", References(Grains));
        Assert.DoesNotContain(References(Contracts), r => r is "Handoff.Grains" or "Handoff.Host" or "Handoff.HelpDesks" or "Handoff.Core");
    }
}
