namespace Agent.Pipeline;

/// <summary>One label pair. Label arrays are kept sorted by name (ordinal) so encoders never sort.</summary>
public readonly record struct Label(string Name, string Value);
