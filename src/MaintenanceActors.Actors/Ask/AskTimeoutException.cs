namespace MaintenanceActors.Actors;

/// <summary>An Ask got no reply in time, or its target is terminated; the message names the target and the message type.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);
