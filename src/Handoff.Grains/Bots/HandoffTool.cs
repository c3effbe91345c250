using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Handoff.Grains.Bots;

/// <summary>The hand-off tool offered to the model; its description is the agent owner's trigger description.</summary>
public static class HandoffTool
{
    public const string Name = "request_human_handoff";
    public const string ReasonDescription = "Why a person is needed, in a few words.";

    public static JsonElement ParametersSchema { get; } = JsonSerializer.SerializeToElement(new
    {
        type = "object",
        properties = new { reason = new { type = "string", description = ReasonDescription } },
    });

    public static AIFunctionDeclaration Declaration(string triggerDescription) =>
        AIFunctionFactory.CreateDeclaration(Name, triggerDescription, ParametersSchema);

    /// <summary>The OpenAI function definition, for platforms that run their own model.</summary>
    public static object Definition(string triggerDescription) => new
    {
        type = "function",
        function = new { name = Name, description = triggerDescription, parameters = ParametersSchema },
    };
}
