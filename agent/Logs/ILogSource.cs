namespace Agent.Logs;

/// <summary>
/// A continuous source of log lines: files, containers, the journal. It reads, hands each line
/// to the sink (<see cref="Pipeline.ILogSink"/>, which waits when the exporters are full), and
/// moves its position in the <see cref="PositionsStore"/> only when the line's acknowledgement
/// comes back (<see cref="Pipeline.IAckTarget"/>): never when it is merely read.
/// </summary>
public interface ILogSource : IAsyncDisposable
{
    void Start();

    /// <summary>Stops reading; lines already handed to the sink are the exporters' to flush. Idempotent.</summary>
    Task StopAsync();
}
