namespace Agent.Pipeline;

/// <summary>
/// Two sorted label arrays walked as one sorted sequence without allocating; on equal names
/// the label from <c>own</c> wins. Shared by the text format writer, the remote-write encoder
/// and <see cref="Labels.Merge"/>.
/// </summary>
public ref struct MergedLabels(Label[] own, Label[] extra)
{
    private int _i;
    private int _j;

    public Label Current { get; private set; }

    public readonly MergedLabels GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_i == own.Length && _j == extra.Length) return false;
        if (_j == extra.Length) { Current = own[_i++]; return true; }
        if (_i == own.Length) { Current = extra[_j++]; return true; }
        var c = string.CompareOrdinal(own[_i].Name, extra[_j].Name);
        if (c < 0) Current = own[_i++];
        else if (c > 0) Current = extra[_j++];
        else { Current = own[_i++]; _j++; }
        return true;
    }
}
