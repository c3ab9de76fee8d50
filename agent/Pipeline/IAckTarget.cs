namespace Agent.Pipeline;

/// <summary>
/// Whoever must learn that entries up to an offset are safe (delivered or dropped on
/// purpose). A file tailer commits its position here; nothing else moves it.
/// </summary>
public interface IAckTarget
{
    void Acknowledge(long offset);
}
