using System.Net;

namespace Agent.Exporters.Http;

/// <summary>What a push endpoint's answer means for the batch we sent.</summary>
public enum SendOutcome
{
    /// <summary>2xx: the monitor has it; acknowledge upstream.</summary>
    Delivered,
    /// <summary>5xx, 429, timeout, connection refused: send the same batch again later.</summary>
    Retry,
    /// <summary>Any other 4xx: the server will never take this batch; drop it, count it, move on.</summary>
    Rejected,
}

public static class SendOutcomes
{
    public static SendOutcome Classify(HttpStatusCode status)
    {
        var code = (int)status;
        if (code is >= 200 and < 300) return SendOutcome.Delivered;
        if (code == 429 || code >= 500) return SendOutcome.Retry;
        return SendOutcome.Rejected;
    }
}
