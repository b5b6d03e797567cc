using System.Diagnostics;
using MaintenanceActors.Actors;

namespace MaintenanceActors.Drills.Core;

/// <summary>An actor subscribed to the EventStream that hands every event, stamped on receipt, to a callback.</summary>
internal sealed class EventTap : ReceiveActor
{
    private EventTap(Action<object, long> onEvent) => ReceiveAny(message => onEvent(message, Stopwatch.GetTimestamp()));

    /// <summary>Starts a tap for events of <paramref name="channels"/>; subscribed before this returns.</summary>
    public static IActorRef Start(ActorSystem system, string name, Action<object, long> onEvent, params Type[] channels)
    {
        var tap = system.ActorOf(Props.Create(() => new EventTap(onEvent)), name);
        foreach (var channel in channels)
        {
            system.EventStream.Subscribe(tap, channel);
        }
        return tap;
    }
}
