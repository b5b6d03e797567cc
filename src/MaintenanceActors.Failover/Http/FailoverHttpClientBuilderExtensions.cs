using MaintenanceActors.Failover.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts <see cref="FailoverHttpHandler"/> into an HttpClient built by the HttpClient factory.</summary>
public static class FailoverHttpClientBuilderExtensions
{
    /// <summary>
    /// Requests of this client to <c>http://{service}/…</c> go to endpoints the failover registry selects (needs
    /// <c>services.AddFailover(...)</c>); idempotent ones that hit a connection failure, 503 or UNAVAILABLE are sent again to another.
    /// </summary>
    public static IHttpClientBuilder AddFailover(this IHttpClientBuilder builder, Action<FailoverHttpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new FailoverHttpOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.AddHttpMessageHandler(sp => new FailoverHttpHandler(sp.GetRequiredService<MaintenanceActors.Failover.IFailoverClient>(), options));
    }
}
