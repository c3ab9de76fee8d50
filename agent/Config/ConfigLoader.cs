using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Agent.Config;

/// <summary>
/// Reads agent.toml: syntax, then types (source-generated, no reflection), then values.
/// Every problem is reported as "file:line:column: key: message" in one ConfigException,
/// so a user fixes a whole file in one round instead of one error per run.
/// </summary>
public static class ConfigLoader
{
    public static AgentConfig Load(string path, Func<string, string?>? environment = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([$"{path}: cannot read config: {Telemetry.ErrorText.Of(e)}"]);
        }
        return Parse(text, path, environment ?? System.Environment.GetEnvironmentVariable);
    }

    public static AgentConfig Parse(string text, string sourceName, Func<string, string?> environment)
    {
        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(text, sourceName);
        }
        catch (TomlException e)
        {
            // Tomlyn refuses nesting deeper than MaxDepth by throwing, not by a diagnostic.
            throw new ConfigException([$"{sourceName}:{e.Line ?? 1}:{e.Column ?? 1}: syntax: {SyntaxMessage(e.Message)}"]);
        }
        if (document.Diagnostics.HasErrors)
        {
            var problems = new List<string>();
            foreach (var d in document.Diagnostics)
            {
                if (d.Kind != Tomlyn.Syntax.DiagnosticMessageKind.Error) continue;
                problems.Add($"{sourceName}:{d.Span.Start.Line + 1}:{d.Span.Start.Column + 1}: syntax: {d.Message}");
            }
            throw new ConfigException(problems);
        }
        var map = ConfigSourceMap.Build(document);
        var grouped = GroupedTables.Of(document, text);

        AgentConfig config;
        try
        {
            config = TomlSerializer.Deserialize(grouped.Text, ConfigContext.Default.AgentConfig) ?? new AgentConfig();
        }
        catch (TomlException e)
        {
            var (line, column) = grouped.Original(e.Line ?? 1, e.Column ?? 1);
            var key = map.KeyAt(line, column, text) ?? "?";
            throw new ConfigException([$"{sourceName}:{line}:{column}: {key}: {TypeMessage(e.Message)}"]);
        }

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(sourceName)) ?? ".";
        new ConfigValidator(sourceName, map, environment, baseDirectory).Validate(config);
        return config;
    }

    private static string SyntaxMessage(string message) =>
        message.Contains("maximum depth", StringComparison.Ordinal)
            ? "arrays or tables nested more than 64 deep (a config never needs that many)"
            : TypeMessage(message);

    /// <summary>Tomlyn prefixes its own "(line,col) : error : "; we print ours in front instead.</summary>
    private static string TypeMessage(string message)
    {
        const string marker = ": error : ";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        return at >= 0 ? message[(at + marker.Length)..] : message;
    }
}
