using System.Text.Json;

namespace Agent.Docker.Engine;

/// <summary>One message of GET /events: which container, and what happened to it.</summary>
public readonly record struct EngineEvent(string Id, string Action)
{
    /// <summary>One line of the events stream (a JSON object); null when it names no container.</summary>
    public static EngineEvent? Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var id = ContainerInspect.Text(ContainerInspect.Member(root, "Actor"), "ID");
        // Engines before API 1.22 sent only "id" and "status".
        if (id.Length == 0) id = ContainerInspect.Text(root, "id");
        var action = ContainerInspect.Text(root, "Action");
        if (action.Length == 0) action = ContainerInspect.Text(root, "status");
        return id.Length == 0 ? null : new EngineEvent(id, action);
    }
}
