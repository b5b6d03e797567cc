using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors.Failover;

/// <summary>The front door of <c>services.AddFailover(f => ...)</c>: settings, static endpoints and providers.</summary>
/// <remarks>
/// A provider is an actor that feeds the registry with <see cref="RegisterEndpoint"/>, <see cref="UpdateEndpoint"/>,
/// <see cref="DeregisterEndpoint"/> and the maintenance messages; it gets the registry's <see cref="IActorRef"/> when built.
/// </remarks>
public sealed class FailoverBuilder
{
    private readonly List<Func<FailoverOptions, FailoverOptions>> _configure = new();
    private readonly List<ProviderEntry> _providers = new();
    private readonly List<ServiceEndpoint> _static = new();

    internal FailoverBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for extensions that register what their providers need.</summary>
    public IServiceCollection Services { get; }

    internal IReadOnlyList<Func<FailoverOptions, FailoverOptions>> ConfigureActions => _configure;
    internal IReadOnlyList<ProviderEntry> Providers => _providers;
    internal IReadOnlyList<ServiceEndpoint> StaticEndpoints => _static;

    /// <summary>The random source of random and weighted picks (tests set a seeded one).</summary>
    internal Random? Random { get; set; }

    /// <summary>Adjusts the settings (applied after the <c>Failover</c> configuration section), e.g. <c>o => o with { Strategy = FailoverStrategy.Weighted }</c>.</summary>
    public FailoverBuilder Configure(Func<FailoverOptions, FailoverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure.Add(configure);
        return this;
    }

    /// <summary>Registers fixed endpoints through the static provider (source <c>static</c>).</summary>
    public FailoverBuilder AddStaticEndpoints(params ServiceEndpoint[] endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Validate() is { } error)
            {
                throw new FailoverValidationException($"Failover:Static: {error}");
            }
            if (_static.Any(e => e.Id == endpoint.Id))
            {
                throw new FailoverValidationException($"Failover:Static: endpoint {endpoint.Id} is added twice");
            }
            _static.Add(endpoint);
        }
        return this;
    }

    /// <summary>Adds a provider actor named <paramref name="name"/>; <paramref name="props"/> receives the registry to feed.</summary>
    public FailoverBuilder AddProvider(string name, Func<IServiceProvider, IActorRef, Props> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (string.IsNullOrWhiteSpace(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new FailoverValidationException($"Failover:Providers: '{name}' is not a valid provider name (letters, digits, - and _)");
        }
        if (_providers.Any(p => p.Name == name))
        {
            throw new FailoverValidationException($"Failover:Providers: {name} is added twice; give each provider a unique name");
        }
        _providers.Add(new ProviderEntry(name, props));
        return this;
    }

    internal sealed record ProviderEntry(string Name, Func<IServiceProvider, IActorRef, Props> Props);
}
