using System.Net;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;
using SdEndpoint = Microsoft.Extensions.ServiceDiscovery.ServiceEndpoint;

namespace MaintenanceActors.Failover.Discovery;

/// <summary>Creates a <see cref="FailoverServiceEndpointProvider"/> for each service name the registry answers.</summary>
internal sealed class FailoverServiceEndpointProviderFactory(IFailoverClient client, FailoverServiceDiscoveryOptions options, TimeProvider time)
    : IServiceEndpointProviderFactory
{
    public bool TryCreateProvider(ServiceEndpointQuery query, out IServiceEndpointProvider provider)
    {
        if (!options.IsService(query.ServiceName))
        {
            provider = null!;
            return false;
        }
        provider = new FailoverServiceEndpointProvider(query.ServiceName, client, options.RefreshInterval, time);
        return true;
    }
}

/// <summary>
/// Answers Microsoft.Extensions.ServiceDiscovery with a service's selectable endpoints from the failover registry (none in
/// maintenance, open-circuited or unhealthy), and hands the resolver a change token that fires when that set changes.
/// </summary>
internal sealed class FailoverServiceEndpointProvider(string serviceName, IFailoverClient client, TimeSpan refreshInterval, TimeProvider time)
    : IServiceEndpointProvider
{
    private readonly CancellationTokenSource _disposed = new();

    public async ValueTask PopulateAsync(IServiceEndpointBuilder endpoints, CancellationToken cancellationToken)
    {
        var selectable = await SelectableAsync(cancellationToken).ConfigureAwait(false);
        foreach (var endpoint in selectable)
        {
            EndPoint address = IPAddress.TryParse(endpoint.Address, out var ip) ? new IPEndPoint(ip, endpoint.Port) : new DnsEndPoint(endpoint.Address, endpoint.Port);
            endpoints.Endpoints.Add(SdEndpoint.Create(address));
        }
        var changed = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        endpoints.AddChangeToken(new CancellationChangeToken(changed.Token));
        _ = WatchAsync(Fingerprint(selectable), changed);
    }

    /// <summary>Compares the registry with what was handed out every <c>refreshInterval</c>; cancels the token on the first difference.</summary>
    private async Task WatchAsync(string handedOut, CancellationTokenSource changed)
    {
        try
        {
            while (!changed.IsCancellationRequested)
            {
                await Task.Delay(refreshInterval, time, changed.Token).ConfigureAwait(false);
                if (Fingerprint(await SelectableAsync(changed.Token).ConfigureAwait(false)) != handedOut)
                {
                    break;
                }
            }
            changed.Cancel();
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
        catch (Exception)
        {
            // The registry did not answer: let the resolver ask again, which reports the problem where it is seen.
            changed.Cancel();
        }
        finally
        {
            changed.Dispose();
        }
    }

    private async Task<IReadOnlyList<ServiceEndpoint>> SelectableAsync(CancellationToken cancellationToken) =>
        (await client.ListEndpointsAsync(serviceName, cancellationToken).ConfigureAwait(false))
            .Where(s => s.Selectable).Select(s => s.Endpoint).OrderBy(e => e.Id, StringComparer.Ordinal).ToArray();

    private static string Fingerprint(IReadOnlyList<ServiceEndpoint> endpoints) =>
        string.Join(';', endpoints.Select(e => $"{e.Id}={e.Address}:{e.Port}"));

    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"Failover registry ({serviceName})";
}
