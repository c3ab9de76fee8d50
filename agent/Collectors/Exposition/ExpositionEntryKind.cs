namespace Agent.Collectors.Exposition;

public enum ExpositionEntryKind
{
    Sample,
    Help,
    Type,
    Unit,
}
