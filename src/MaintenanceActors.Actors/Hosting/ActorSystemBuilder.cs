namespace MaintenanceActors.Actors.Hosting;

/// <summary>Configures the hosted actor system: options and the actors started with the host.</summary>
public sealed class ActorSystemBuilder
{
    private readonly List<Action<ActorSystem, ActorRegistry, IServiceProvider>> _starters = [];
    private readonly List<Action<ActorSystemOptions>> _optionActions = [];

    internal IReadOnlyList<Action<ActorSystem, ActorRegistry, IServiceProvider>> Starters => _starters;

    internal IReadOnlyList<Action<ActorSystemOptions>> OptionActions => _optionActions;

    /// <summary>Adds a starter run when the host starts, in the order added (create and register actors here).</summary>
    public ActorSystemBuilder WithActors(Action<ActorSystem, ActorRegistry, IServiceProvider> starter)
    {
        ArgumentNullException.ThrowIfNull(starter);
        _starters.Add(starter);
        return this;
    }

    /// <summary>Adjusts the system's options after the host's logging, services and TimeProvider were applied.</summary>
    public ActorSystemBuilder WithOptions(Action<ActorSystemOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _optionActions.Add(configure);
        return this;
    }
}
