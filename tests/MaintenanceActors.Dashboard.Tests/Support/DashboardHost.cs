using System.Net.Http.Headers;
using System.Text;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Dashboard.Tests.Support;

/// <summary>A real etcd on a free port and the dashboard server (<see cref="MaintenanceDashboard"/>) on another, watching it.</summary>
public sealed class DashboardHost : IAsyncLifetime
{
    public const string Token = "test-token-0123456789abcdef";

    private RunningDashboard? _dashboard;
    private readonly StringWriter _output = new();

    public EtcdServer Etcd { get; private set; } = null!;

    public EtcdTestWriter Writer { get; private set; } = null!;

    public string Url => _dashboard?.Url ?? throw new InvalidOperationException("the dashboard is not started");

    /// <summary>What the dashboard printed at start.</summary>
    public string Printed => _output.ToString();

    internal RunningDashboard Dashboard => _dashboard ?? throw new InvalidOperationException("the dashboard is not started");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        Etcd = await EtcdServer.StartAsync();
        Writer = new EtcdTestWriter(Etcd.CreateClient());
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                _dashboard = await MaintenanceDashboard.StartAsync(Options(), CancellationToken.None);
                break;
            }
            catch (DashboardStartException) when (attempt < 3)
            {
                // The free port was taken between choosing and binding it; choose again.
            }
        }
        Http.BaseAddress = new Uri(Url);
    }

    /// <summary>Options for this host's etcd on a fresh free port, writing as "tester".</summary>
    public DashboardOptions Options() => new()
    {
        Endpoints = [Etcd.Endpoint],
        Port = FreePort.Get(),
        AuthToken = Token,
        By = "tester@dashboard-tests",
        Output = _output,
    };

    /// <summary>Posts <paramref name="json"/> to the write endpoint with the token, as a tool (no Origin) would.</summary>
    public Task<HttpResponseMessage> PostAsync(string json, string? token = Token, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/maintenance")
        {
            Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (token is not null)
        {
            request.Headers.Add(MaintenanceDashboardEndpoints.TokenHeader, token);
        }
        configure?.Invoke(request);
        return Http.SendAsync(request);
    }

    /// <summary>The value stored at <paramref name="key"/>, or null.</summary>
    public async Task<string?> ReadKeyAsync(string key)
    {
        var response = await Writer.Client.GetAsync(key);
        return response.Kvs.Count == 0 ? null : response.Kvs[0].Value.ToStringUtf8();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }
        if (Writer is not null)
        {
            await Writer.DisposeAsync();
        }
        if (Etcd is not null)
        {
            await Etcd.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardHost>
{
    public const string Name = "dashboard";
}
