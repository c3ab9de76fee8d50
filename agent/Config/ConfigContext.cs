using System.Text.Json.Serialization;
using Tomlyn.Serialization;

namespace Agent.Config;

/// <summary>Source-generated TOML metadata: the only path from text to <see cref="AgentConfig"/> (no reflection).</summary>
[TomlSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[TomlSerializable(typeof(AgentConfig))]
internal sealed partial class ConfigContext : TomlSerializerContext
{
}
