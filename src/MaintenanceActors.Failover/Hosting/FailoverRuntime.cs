using Akka.Actor;
using Akka.Pattern;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors.Failover;

/// <summary>Starts the registry, the static provider and the added providers in one actor system, and hands out the client.</summary>
internal sealed class FailoverRuntime
{
    private readonly IServiceProvider _services;
    private readonly FailoverBuilder _builder;
    private readonly object _gate = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FailoverClient? _client;

    public FailoverRuntime(IServiceProvider services, FailoverBuilder builder)
    {
        _services = services;
        _builder = builder;
    }

    /// <summary>Completes when the static endpoints are in the registry.</summary>
    public Task Ready => _ready.Task;

    public bool IsStarted => _client is not null;

    public FailoverClient Client => _client ?? Start(_services.GetRequiredService<ActorSystem>());

    /// <summary>The <c>Failover</c> configuration section over the defaults (a value that does not convert names its path).</summary>
    private FailoverOptions Bound()
    {
        var section = _services.GetService<IConfiguration>()?.GetSection(FailoverOptions.SectionName);
        if (section is null || !section.Exists()) return new FailoverOptions();
        try
        {
            return section.Get<FailoverOptions>() ?? new FailoverOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new FailoverValidationException($"{FailoverOptions.SectionName}: {ex.Message}");
        }
    }

    public FailoverClient Start(ActorSystem system)
    {
        lock (_gate)
        {
            if (_client is not null) return _client;
            var options = _builder.ConfigureActions.Aggregate(Bound(), (o, f) => f(o) ?? throw new FailoverValidationException("Failover: Configure returned null"));
            options.ThrowIfInvalid();
            var time = _services.GetService<TimeProvider>() ?? TimeProvider.System;
            var directory = new EndpointDirectory(options, time, _builder.Random);
            var registry = system.ActorOf(EndpointRegistryActor.Props(directory), "failover-registry");
            system.ActorOf(StaticProviderActor.Props(registry, _builder.StaticEndpoints, _ready), "failover-provider-static");
            foreach (var provider in _builder.Providers)
            {
                var props = provider.Props(_services, registry);
                system.ActorOf(
                    BackoffSupervisor.Props(Backoff.OnFailure(props, provider.Name, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1)),
                    $"failover-provider-{provider.Name}");
            }
            _client = new FailoverClient(registry, directory);
            return _client;
        }
    }
}
