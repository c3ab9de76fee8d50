using System.Threading.Channels;

namespace Agent.Docker;

/// <summary>
/// Hands streamed API messages to a channel on the reader's own thread. Progress&lt;T&gt; would
/// post each to the thread pool, where a "die" could be handled before the "start" before it.
/// </summary>
internal sealed class ChannelProgress<T>(ChannelWriter<T> writer) : IProgress<T>
{
    public void Report(T value) => writer.TryWrite(value);
}
