namespace Agent.Pipeline;

/// <summary>Helpers for sorted label arrays; built once per series, not every cycle.</summary>
public static class Labels
{
    public static readonly Label[] Empty = [];

    /// <summary>Returns a new array sorted by name; a later duplicate name replaces an earlier one.</summary>
    public static Label[] Sorted(IEnumerable<Label> labels)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var l in labels)
        {
            map[l.Name] = l.Value;
        }
        var result = new Label[map.Count];
        var i = 0;
        foreach (var (name, value) in map)
        {
            result[i++] = new Label(name, value);
        }
        return result;
    }

    /// <summary>Merges two sorted arrays; on equal names the value from <paramref name="own"/> wins.</summary>
    public static Label[] Merge(Label[] own, Label[] external)
    {
        if (external.Length == 0) return own;
        if (own.Length == 0) return external;
        var result = new List<Label>(own.Length + external.Length);
        foreach (var label in new MergedLabels(own, external)) result.Add(label);
        return [.. result];
    }
}
