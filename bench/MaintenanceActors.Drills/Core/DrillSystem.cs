using Akka.Actor;
using Akka.Configuration;

namespace MaintenanceActors.Drills.Core;

/// <summary>
/// An Akka.NET actor system for one drill, with Akka's defaults (default dispatcher, throughput 30) and quiet logging,
/// that a rig can dispose with the rest of what it owns (Akka's <see cref="ActorSystem"/> is not <see cref="IAsyncDisposable"/>).
/// Converts to <see cref="ActorSystem"/> wherever one is expected.
/// </summary>
internal sealed class DrillSystem : IAsyncDisposable
{
    private static readonly Config Quiet = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-config-on-start = off
        """);

    private DrillSystem(ActorSystem system) => System = system;

    public ActorSystem System { get; }

    public static DrillSystem Create(string name) => new(ActorSystem.Create(name, Quiet));

    public static implicit operator ActorSystem(DrillSystem drill) => drill.System;

    /// <summary>Terminates the system and waits until it is gone.</summary>
    public async ValueTask DisposeAsync() => await System.Terminate().ConfigureAwait(false);
}
