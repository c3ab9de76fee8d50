using Agent.Pipeline;

namespace Agent.Collectors.Containers;

/// <summary>
/// The Docker labels that become series labels, as container_label_&lt;sanitised name&gt; like
/// cAdvisor writes them. An allow-list, because cAdvisor's default of every label (and env
/// var) is a known cardinality and secret leak (google/cadvisor #2313, #2465).
/// </summary>
public sealed class ContainerLabelAllowList
{
    public static readonly IReadOnlyList<string> Default = ["com.docker.compose.project", "com.docker.compose.service"];

    private readonly (string DockerName, string SeriesName)[] _labels;

    public ContainerLabelAllowList(IEnumerable<string> dockerLabels)
    {
        _labels = [.. dockerLabels.Distinct(StringComparer.Ordinal).Select(l => (l, SeriesLabelName(l)))];
    }

    /// <summary>cAdvisor's sanitisation: every character outside [a-zA-Z0-9_] becomes '_'.</summary>
    public static string SeriesLabelName(string dockerLabel) =>
        string.Create("container_label_".Length + dockerLabel.Length, dockerLabel, static (span, label) =>
        {
            "container_label_".CopyTo(span);
            var rest = span["container_label_".Length..];
            for (var i = 0; i < label.Length; i++)
            {
                var c = label[i];
                rest[i] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_';
            }
        });

    /// <summary>
    /// The series labels every family of one container shares: id (the cgroup path), image,
    /// name and the allowed Docker labels the container has (an empty value is no label, as
    /// Prometheus would treat it). Sorted; built once per container.
    /// </summary>
    public Label[] BaseLabels(string cgroupPath, ContainerInfo container)
    {
        var labels = new List<Label>(3 + _labels.Length)
        {
            new("id", cgroupPath),
            new("image", container.Image),
            new("name", container.Name),
        };
        foreach (var (dockerName, seriesName) in _labels)
        {
            if (container.Labels.TryGetValue(dockerName, out var value) && value.Length > 0) labels.Add(new Label(seriesName, value));
        }
        return Labels.Sorted(labels.Where(l => l.Value.Length > 0));
    }
}
