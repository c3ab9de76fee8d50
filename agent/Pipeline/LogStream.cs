namespace Agent.Pipeline;

/// <summary>A Loki stream: a sorted label set and its selector string, built once.</summary>
public sealed class LogStream
{
    public LogStream(Label[] labels)
    {
        Labels = labels;
        Selector = BuildSelector(labels);
    }

    public Label[] Labels { get; }

    /// <summary>The LogQL selector Loki expects in StreamAdapter.labels: {a="1", b="2"}.</summary>
    public string Selector { get; }

    private static string BuildSelector(Label[] labels)
    {
        var sb = new System.Text.StringBuilder(64);
        sb.Append('{');
        for (var i = 0; i < labels.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(labels[i].Name).Append("=\"");
            foreach (var c in labels[i].Value)
            {
                switch (c)
                {
                    case '\\': sb.Append("\\\\"); break;
                    case '"': sb.Append("\\\""); break;
                    case '\n': sb.Append("\\n"); break;
                    default: sb.Append(c); break;
                }
            }
            sb.Append('"');
        }
        sb.Append('}');
        return sb.ToString();
    }
}
