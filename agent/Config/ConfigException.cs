namespace Agent.Config;

/// <summary>One or more problems in a config file; each line names file, line, column and key.</summary>
public sealed class ConfigException(IReadOnlyList<string> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
