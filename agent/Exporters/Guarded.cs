using Microsoft.Extensions.Logging;

namespace Agent.Exporters;

/// <summary>
/// Keeps an exporter loop alive: an exception nobody expected is logged with the endpoint,
/// waited out with a capped backoff and the loop runs again. An exporter that silently ends
/// turns every later batch into a drop, which is worse than any single failure.
/// </summary>
public static class Guarded
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(30);

    /// <param name="body">Returns true when the loop is done for good (stop).</param>
    public static async Task LoopAsync(Func<Task<bool>> body, string what, string endpoint, ILogger logger, CancellationToken hardStop)
    {
        var backoff = FirstBackoff;
        while (!hardStop.IsCancellationRequested)
        {
            try
            {
                if (await body()) return;
                backoff = FirstBackoff;
            }
            catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "{Endpoint}: {What} loop failed; running it again in {Delay:F1}s", endpoint, what, backoff.TotalSeconds);
                try { await Task.Delay(backoff, hardStop); } catch (OperationCanceledException) { return; }
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
        }
    }
}
