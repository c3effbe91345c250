namespace Handoff.Grains;

/// <summary>The grain storage every <c>[PersistentState]</c> of ours names.</summary>
public static class GrainStorage
{
    public const string Name = "handoff";
}
