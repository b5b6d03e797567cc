using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors.Actors;

/// <summary>A recipe for creating (and re-creating on restart) an actor.</summary>
public sealed class Props
{
    private Props(Type actorType, Func<ActorSystem, ActorBase> factory, SupervisorStrategy? strategy)
    {
        ActorType = actorType;
        Factory = factory;
        SupervisorStrategy = strategy;
    }

    /// <summary>The type of actor this recipe creates.</summary>
    public Type ActorType { get; }

    /// <summary>Overrides the actor's own <c>SupervisorStrategy()</c> for its children when set.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    internal Func<ActorSystem, ActorBase> Factory { get; }

    /// <summary>Creates the actor with its parameterless constructor.</summary>
    public static Props Create<TActor>()
        where TActor : ActorBase, new()
        => new(typeof(TActor), static _ => new TActor(), null);

    /// <summary>Creates the actor with <paramref name="factory"/>, called again on every restart.</summary>
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(typeof(TActor), _ => factory(), null);
    }

    /// <summary>Creates the actor through dependency injection (ActivatorUtilities over <see cref="ActorSystem.Services"/>) plus <paramref name="args"/>.</summary>
    public static Props FromServices<TActor>(params object[] args)
        where TActor : ActorBase
    {
        var arguments = args ?? [];
        return new(typeof(TActor), system => ActivatorUtilities.CreateInstance<TActor>(system.Services, arguments), null);
    }

    /// <summary>Returns a copy that supervises the actor's children with <paramref name="strategy"/>.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return new(ActorType, Factory, strategy);
    }

    /// <inheritdoc />
    public override string ToString() => $"Props({ActorType.Name})";
}
