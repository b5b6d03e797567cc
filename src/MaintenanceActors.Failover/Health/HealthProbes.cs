using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace MaintenanceActors.Failover;

/// <summary>The three kinds of health check; one instance per registry shares the HTTP connection pool between them.</summary>
internal sealed class HealthProbes : IDisposable
{
    private readonly SocketsHttpHandler _handler = new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        EnableMultipleHttp2Connections = true,
    };
    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    public HealthProbes(TimeProvider time)
    {
        _time = time;
        _http = new HttpClient(_handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public GrpcChannel CreateChannel(ServiceEndpoint endpoint) => GrpcChannel.ForAddress(
        endpoint.BaseUri,
        new GrpcChannelOptions { HttpHandler = _handler, DisposeHttpClient = false });

    public async Task<EndpointHealthReport> CheckAsync(ServiceEndpoint endpoint, HealthCheckSpec spec, GrpcChannel? channel)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(spec.Timeout);
        EndpointHealth health;
        string detail;
        try
        {
            (health, detail) = spec.Kind switch
            {
                HealthCheckKind.Http => await HttpAsync(endpoint, spec, timeout.Token),
                HealthCheckKind.Grpc => await GrpcAsync(channel ?? throw new InvalidOperationException("no gRPC channel"), spec, timeout.Token),
                _ => await TcpAsync(endpoint, timeout.Token),
            };
        }
        catch (Exception) when (timeout.IsCancellationRequested)
        {
            (health, detail) = (EndpointHealth.Unhealthy, $"no answer within {spec.Timeout.TotalMilliseconds:0} ms");
        }
        catch (RpcException ex)
        {
            (health, detail) = (EndpointHealth.Unhealthy, $"gRPC {ex.StatusCode}: {ex.Status.Detail}");
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException)
        {
            (health, detail) = (EndpointHealth.Unhealthy, ex.Message);
        }
        var took = Stopwatch.GetElapsedTime(started);
        if (health == EndpointHealth.Healthy && spec.DegradedAfter is { } slow && took > slow)
        {
            (health, detail) = (EndpointHealth.Degraded, $"{detail}; took {took.TotalMilliseconds:0} ms (degraded after {slow.TotalMilliseconds:0} ms)");
        }
        return new EndpointHealthReport(endpoint.Id, health, detail, took, _time.GetUtcNow());
    }

    private async Task<(EndpointHealth, string)> HttpAsync(ServiceEndpoint endpoint, HealthCheckSpec spec, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(new HttpMethod(spec.Method), new Uri(endpoint.BaseUri, spec.Path));
        if (spec.Body is not null)
        {
            request.Content = new StringContent(spec.Body, Encoding.UTF8, spec.Headers.TryGetValue("Content-Type", out var type) ? type : "application/json");
        }
        foreach (var (name, value) in spec.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) continue;
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var status = (int)response.StatusCode;
        var ok = spec.ExpectedStatus is { } expected ? status == expected : status is >= 200 and < 300;
        return ok
            ? (EndpointHealth.Healthy, $"HTTP {status}")
            : (EndpointHealth.Unhealthy, $"HTTP {status}, expected {(spec.ExpectedStatus?.ToString() ?? "2xx")}");
    }

    private static async Task<(EndpointHealth, string)> GrpcAsync(GrpcChannel channel, HealthCheckSpec spec, CancellationToken ct)
    {
        var client = new Health.HealthClient(channel);
        var reply = await client.CheckAsync(new HealthCheckRequest { Service = spec.GrpcService }, cancellationToken: ct);
        return reply.Status switch
        {
            HealthCheckResponse.Types.ServingStatus.Serving => (EndpointHealth.Healthy, "SERVING"),
            HealthCheckResponse.Types.ServingStatus.NotServing => (EndpointHealth.Unhealthy, "NOT_SERVING"),
            HealthCheckResponse.Types.ServingStatus.ServiceUnknown => (EndpointHealth.Unhealthy, "SERVICE_UNKNOWN"),
            _ => (EndpointHealth.Unknown, reply.Status.ToString()),
        };
    }

    private static async Task<(EndpointHealth, string)> TcpAsync(ServiceEndpoint endpoint, CancellationToken ct)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint.Address, endpoint.Port, ct);
        return (EndpointHealth.Healthy, "TCP connect");
    }

    public void Dispose()
    {
        _http.Dispose();
        _handler.Dispose();
    }
}
