using Akka.Actor;

namespace MaintenanceActors;

/// <summary>
/// Props from a factory delegate. Akka's expression form (<c>Props.Create(() => new T(...))</c>) creates the actor
/// through a public constructor found by reflection; the coordinator's actors take internal state (the shared state
/// cell, the watcher's memory) through internal constructors, so they are created by a delegate instead.
/// </summary>
internal static class FactoryProps
{
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase => Props.CreateBy(new Producer<TActor>(factory));

    private sealed class Producer<TActor>(Func<TActor> factory) : IIndirectActorProducer
        where TActor : ActorBase
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => factory();

        public void Release(ActorBase actor)
        {
        }
    }
}
