namespace Agent.Collectors.Scrape;

/// <summary>How the last scrape of a target went, for the log and `agent check`.</summary>
/// <param name="HttpStatus">0 when no response came (refused, timed out).</param>
public sealed record ScrapeStatus(bool Up, int HttpStatus, int Samples, TimeSpan Duration, string? Error);
