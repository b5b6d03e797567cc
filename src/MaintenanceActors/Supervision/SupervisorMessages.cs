using Akka.Actor;

namespace MaintenanceActors;

/// <summary>A resource to supervise: its unique name, how to create its actor, and its options.</summary>
public sealed record ResourceRegistration(string Name, Func<Props> Props, ResourceOptions Options);

/// <summary>Sets the supervisor's own "manual" source (used when no etcd is configured); answered with <see cref="Status.Success"/>.</summary>
public sealed record SetMaintenanceMode(bool Enabled, MaintenanceInfo? Info = null);

/// <summary>Answered with true once the applied state equals <paramref name="Enabled"/> (the asker's timeout bounds the wait).</summary>
public sealed record WaitForMaintenanceMode(bool Enabled);

/// <summary>Adds a resource at run time; answered with <see cref="Status.Success"/> or <see cref="Status.Failure"/> (duplicate name).</summary>
public sealed record AddResource(ResourceRegistration Registration);

/// <summary>Asks the supervisor for its resources' names; answered with <c>IReadOnlyList&lt;string&gt;</c>.</summary>
public sealed class GetResourceNames
{
    /// <summary>The only instance.</summary>
    public static readonly GetResourceNames Instance = new();
    private GetResourceNames() { }
}

/// <summary>
/// Host stop: enter maintenance for good (no source can end it) with each resource's deadline capped at
/// <see cref="MaintenanceOptions.ShutdownDrainTimeout"/>; answered with <see cref="ShutdownDrainCompleted"/> once drained.
/// </summary>
internal sealed class DrainForShutdown
{
    public static readonly DrainForShutdown Instance = new();
    private DrainForShutdown() { }
}

/// <summary>The answer to <see cref="DrainForShutdown"/>: the transition that left the service in maintenance (null if none ran).</summary>
internal sealed record ShutdownDrainCompleted(MaintenanceTransitionCompleted? Transition);
