using Akka.Actor;
using Akka.Configuration;

namespace MaintenanceActors.Benchmarks.Akka;

/// <summary>The actor system every Akka benchmark runs in: Akka's defaults (default dispatcher, throughput 30), quiet logging.</summary>
internal static class BenchSystem
{
    private static readonly Config Quiet = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-config-on-start = off
        """);

    public static ActorSystem Create() => ActorSystem.Create("bench", Quiet);

    public static void Terminate(ActorSystem system) => system.Terminate().Wait(TimeSpan.FromSeconds(10));
}
