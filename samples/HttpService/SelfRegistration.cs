using MaintenanceActors;
using MaintenanceActors.Failover.Providers;
using Samples;

namespace HttpService;

/// <summary>
/// Registers this instance in etcd under <c>{REGISTRY_PREFIX}{SERVICE_NAME}/{INSTANCE_ID}</c> on a lease once Kestrel
/// listens, so failover clients find it; the key is revoked when the host stops and vanishes with the lease if the process dies.
/// </summary>
internal sealed class SelfRegistration(EtcdDiscoveryOptions etcd, string service, string instance, InstanceRegistration registration,
    IHostApplicationLifetime lifetime, ILogger<SelfRegistration> logger) : IHostedLifecycleService
{
    private EtcdServiceRegistration? _registration;

    /// <summary>
    /// Adds the registration when <c>SERVICE_NAME</c> is set, as <c>{SERVICE_NAME}/{instance}</c> where the instance is the
    /// fleet's <c>INSTANCE_ID</c>; <c>REGISTRY_PREFIX</c> (default /services/) and <c>REGISTER_ADDRESS</c> (default the
    /// listen address, 127.0.0.1 for 0.0.0.0) are optional.
    /// </summary>
    public static void AddIfConfigured(IServiceCollection services, string etcdEndpoints, System.Net.IPAddress listenAddress, int port, string instance)
    {
        var service = SampleEnvironment.Text("SERVICE_NAME", "");
        if (service.Length == 0)
        {
            return;
        }
        if (service.Contains('/') || instance.Contains('/'))
        {
            throw new SampleConfigurationException("SERVICE_NAME and INSTANCE_ID must be names without '/' (e.g. http-service and a) to register in etcd.");
        }
        var prefix = SampleEnvironment.Text("REGISTRY_PREFIX", "/services/");
        var fallback = listenAddress.Equals(System.Net.IPAddress.Any) ? "127.0.0.1" : listenAddress.ToString();
        var address = SampleEnvironment.Text("REGISTER_ADDRESS", fallback);
        var etcd = new EtcdDiscoveryOptions { Endpoints = EtcdSourceOptions.SplitEndpoints(etcdEndpoints), ServicesPrefix = prefix };
        try
        {
            etcd.Validate("REGISTRY_PREFIX");
        }
        catch (MaintenanceConfigurationException ex)
        {
            throw new SampleConfigurationException(ex.Message);
        }
        services.AddHostedService(sp => new SelfRegistration(etcd, service, instance, new InstanceRegistration(address, port),
            sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<SelfRegistration>>()));
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // Registered only once Kestrel listens, so a client never gets an address that refuses connections.
        lifetime.ApplicationStarted.Register(() => _ = RegisterAsync());
        return Task.CompletedTask;
    }

    private async Task RegisterAsync()
    {
        try
        {
            _registration = await EtcdServiceRegistration.StartAsync(etcd, service, instance, registration, logger: logger, cancellationToken: lifetime.ApplicationStopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("Could not register {Service}/{Instance} in etcd: {Error}", service, instance, ex.Message);
        }
    }

    // Deregistered first when stopping, so clients stop choosing this instance before it drains.
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_registration is not null)
        {
            await _registration.DisposeAsync();
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
