using Akka.Actor;
using Akka.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors;

/// <summary>The front door of <c>services.AddMaintenance(m => ...)</c>: sources, resources and coordinator options.</summary>
/// <remarks>
/// A resource kind is one <see cref="DrainableResourceActor"/> subclass plus one extension method on this
/// builder that calls <see cref="AddResource{TActor}"/> (and registers whatever the actor needs in <see cref="Services"/>).
/// </remarks>
public sealed class MaintenanceBuilder
{
    private readonly List<ResourceEntry> _resources = new();
    private readonly List<SourceEntry> _sources = new();
    private readonly List<Action<MaintenanceOptions>> _configure = new();

    internal MaintenanceBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for extensions that register what their actors need.</summary>
    public IServiceCollection Services { get; }

    internal IReadOnlyList<ResourceEntry> Resources => _resources;
    internal IReadOnlyList<SourceEntry> Sources => _sources;
    internal IReadOnlyList<Action<MaintenanceOptions>> ConfigureActions => _configure;
    internal Action<EtcdSourceOptions>? Etcd { get; private set; }
    internal bool UsesEtcd { get; private set; }
    internal MaintenanceEventFilter? Filter { get; private set; }

    /// <summary>Adjusts the coordinator options after they were bound from the <c>Maintenance</c> section.</summary>
    public MaintenanceBuilder Configure(Action<MaintenanceOptions> configure)
    {
        _configure.Add(configure);
        return this;
    }

    /// <summary>Watches the etcd key given in <c>Maintenance:Etcd</c> (adjusted by <paramref name="configure"/>).</summary>
    public MaintenanceBuilder UseEtcd(Action<EtcdSourceOptions>? configure = null)
    {
        if (UsesEtcd)
        {
            throw new InvalidOperationException("UseEtcd was called twice; configure one etcd source (watch a prefix to cover several keys).");
        }
        UsesEtcd = true;
        Etcd = configure;
        return this;
    }

    /// <summary>
    /// Makes this instance part of a fleet (<c>Maintenance:Fleet</c>, adjusted by <paramref name="configure"/>): with <c>UseEtcd</c>, it
    /// also watches <c>/maintenance/&lt;service&gt;/instances/&lt;id&gt;</c> and publishes its status. Setting <c>Maintenance:Fleet:Service</c>
    /// in configuration does the same without this call.
    /// </summary>
    public MaintenanceBuilder UseFleet(Action<FleetOptions>? configure = null)
    {
        UsesFleet = true;
        Fleet = configure;
        return this;
    }

    internal bool UsesFleet { get; private set; }
    internal Action<FleetOptions>? Fleet { get; private set; }

    /// <summary>Watches a file given in <c>Maintenance:File</c> (adjusted by <paramref name="configure"/>).</summary>
    public MaintenanceBuilder AddFileSource(Action<FileSourceOptions>? configure = null)
    {
        _sources.Add(new SourceEntry(SourceKind.File, null, (sp, _) => FileSourceFactory.Create(sp, configure)));
        return this;
    }

    /// <summary>Accepts signed webhook calls (map the endpoint with <c>app.MapMaintenanceWebhook()</c>); secret in <c>Maintenance:Webhook:Secret</c>.</summary>
    public MaintenanceBuilder AddWebhookSource(Action<WebhookSourceOptions>? configure = null)
    {
        Services.AddSingleton(sp => WebhookSourceFactory.Create(sp, configure));
        return this;
    }

    /// <summary>Adds a custom source actor (usually a <see cref="MaintenanceSourceActor"/>) built with constructor injection.</summary>
    public MaintenanceBuilder AddSource<TActor>(string name, params object[] args) where TActor : ActorBase
    {
        ResourceNames.Check(name, "Maintenance:Sources");
        if (_sources.Any(s => s.Name == name))
        {
            throw new MaintenanceConfigurationException($"Maintenance:Sources:{name}", "is registered twice; give each source a unique name");
        }
        _sources.Add(new SourceEntry(SourceKind.Custom, name, (_, system) => (name, () => DependencyResolver.For(system).Props<TActor>(args))));
        return this;
    }

    /// <summary>Adds a resource actor named <paramref name="name"/>, built with constructor injection (<paramref name="args"/> first).</summary>
    public MaintenanceBuilder AddResource<TActor>(string name, Action<ResourceOptions>? configure = null, params object[] args)
        where TActor : DrainableResourceActor
    {
        ResourceNames.Check(name, "Maintenance:Resources");
        if (_resources.Any(r => r.Name == name))
        {
            throw new MaintenanceConfigurationException($"Maintenance:Resources:{name}", "is registered twice; give each resource a unique name");
        }
        var options = new ResourceOptions();
        configure?.Invoke(options);
        options.Validate(name);
        _resources.Add(new ResourceEntry(name, system => new ResourceRegistration(name, () => DependencyResolver.For(system).Props<TActor>(args), options)));
        return this;
    }

    /// <summary>Only let events that pass <paramref name="filter"/> reach the supervisor.</summary>
    public MaintenanceBuilder WithFilter(MaintenanceEventFilter filter)
    {
        Filter = filter;
        return this;
    }

    internal sealed record ResourceEntry(string Name, Func<ActorSystem, ResourceRegistration> Registration);

    internal enum SourceKind { File, Custom }

    internal sealed record SourceEntry(SourceKind Kind, string? Name, Func<IServiceProvider, ActorSystem, (string Name, Func<Props> Props)> Build);
}
