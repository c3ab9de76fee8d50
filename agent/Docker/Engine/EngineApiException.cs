using System.Net;

namespace Agent.Docker.Engine;

/// <summary>An answer of the engine other than 2xx, with the engine's own message ("No such container: ...").</summary>
public sealed class EngineApiException(HttpStatusCode status, string path, string engineMessage)
    : IOException($"the Docker engine answered {(int)status} to {path}: {engineMessage}")
{
    public HttpStatusCode StatusCode { get; } = status;

    public string EngineMessage { get; } = engineMessage;
}
