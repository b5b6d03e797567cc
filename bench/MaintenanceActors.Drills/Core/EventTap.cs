using System.Diagnostics;
using Akka.Actor;

namespace MaintenanceActors.Drills.Core;

/// <summary>An actor subscribed to the EventStream that hands every event, stamped on receipt, to a callback.</summary>
internal static class EventTap
{
    /// <summary>Starts a tap for events of <paramref name="channels"/>; subscribed before this returns.</summary>
    public static IActorRef Start(ActorSystem system, string name, Action<object, long> onEvent, params Type[] channels)
    {
        var tap = system.ActorOf(Props.Create(() => new Tap(onEvent)), name);
        foreach (var channel in channels)
        {
            system.EventStream.Subscribe(tap, channel);
        }
        return tap;
    }

    /// <summary>The tap itself: stamps each message on receipt.</summary>
    public sealed class Tap : ReceiveActor
    {
        public Tap(Action<object, long> onEvent) => ReceiveAny(message => onEvent(message, Stopwatch.GetTimestamp()));
    }
}
