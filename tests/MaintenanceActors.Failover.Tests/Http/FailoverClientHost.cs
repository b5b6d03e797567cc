using MaintenanceActors.Failover.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Failover.Tests.Http;

/// <summary>A started generic host with <c>AddFailover</c> and an HttpClient named "service" through the failover handler.</summary>
internal sealed class FailoverClientHost : IAsyncDisposable
{
    private readonly IHost _host;

    private FailoverClientHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IFailoverClient Failover => Services.GetRequiredService<IFailoverClient>();

    public HttpClient Http => Services.GetRequiredService<IHttpClientFactory>().CreateClient("service");

    public static async Task<FailoverClientHost> StartAsync(Action<FailoverBuilder> failover, Action<FailoverHttpOptions>? http = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddFailover(failover);
        builder.Services.AddHttpClient("service").AddFailover(http);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new FailoverClientHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
