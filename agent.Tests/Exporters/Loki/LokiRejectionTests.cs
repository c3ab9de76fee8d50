using Agent.Exporters.Loki;
using Xunit;

namespace Agent.Tests.Exporters.Loki;

public sealed class LokiRejectionTests
{
    [Theory]
    [InlineData("entry with timestamp 2020 ignored, reason: 'entry too far behind'\nuser 'fake', total ignored: 3 out of 10 for stream: {a=\"b\"}", 3)]
    [InlineData("total ignored: 1 out of 2 for stream: {a=\"1\"}\ntotal ignored: 4 out of 4 for stream: {a=\"2\"}", 5)]
    public void Counts_what_loki_ignored(string body, int expected) => Assert.Equal(expected, LokiRejection.IgnoredCount(body));

    [Theory]
    [InlineData("error at least one label pair is required per stream")]
    [InlineData("")]
    public void Unknown_answers_give_null(string body) => Assert.Null(LokiRejection.IgnoredCount(body));
}
