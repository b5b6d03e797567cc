using System.Net;
using MaintenanceActors.Dashboard.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Dashboard;

/// <summary>Runs the dashboard as its own small web server (what <c>maintctl dashboard</c> calls).</summary>
public static class MaintenanceDashboard
{
    /// <summary>
    /// Serves the dashboard on <see cref="DashboardOptions.BindAddress"/>:<see cref="DashboardOptions.Port"/> until
    /// <paramref name="cancellationToken"/> is cancelled, after printing its URL once (with the token when one was generated).
    /// </summary>
    /// <exception cref="MaintenanceConfigurationException">An option is invalid; the message names it.</exception>
    /// <exception cref="DashboardStartException">The server could not listen (e.g. the port is taken); the message says so in one line.</exception>
    public static async Task RunAsync(DashboardOptions options, CancellationToken cancellationToken)
    {
        await using var running = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // asked to stop
        }
    }

    /// <summary>Starts the server and prints the URL; the caller stops it by disposing the result.</summary>
    internal static async Task<RunningDashboard> StartAsync(DashboardOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DashboardOptions.TryParseBindAddress(options.BindAddress, out var address);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (string.Equals(options.BindAddress.Trim(), "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(options.Port);
            }
            else
            {
                kestrel.Listen(address, options.Port);
            }
        });
        // The caller's token (e.g. Ctrl+C handled by maintctl) decides when to stop, not a console lifetime of our own.
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>();
        builder.Services.AddMaintenanceDashboard(options);
        var app = builder.Build();
        if (string.Equals(options.BindAddress.Trim(), "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.IsLoopback(address))
        {
            // Bound to loopback, only loopback names are served: a web page whose DNS name was rebound to 127.0.0.1 cannot read the fleet.
            app.Use((context, next) => IsLoopbackHost(context.Request.Host.Host) ? next(context) : RefuseHost(context));
        }
        app.MapMaintenanceDashboard();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new DashboardStartException($"The dashboard cannot listen on {options.BindAddress}:{options.Port}: {ex.Message}", ex);
        }
        var runtime = app.Services.GetRequiredService<DashboardRuntime>();
        var host = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            ? Dns.GetHostName()
            : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : options.BindAddress.Trim();
        var url = $"http://{host}:{options.Port}/";
        var output = options.Output ?? Console.Out;
        if (runtime.TokenGenerated)
        {
            // Printed once: the fragment never leaves the browser, and the page keeps the token for its writes.
            await output.WriteLineAsync($"Maintenance dashboard: {url}#token={runtime.Token}").ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync($"Maintenance dashboard: {url} (writes need the configured token)").ConfigureAwait(false);
        }
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new RunningDashboard(app, url, runtime);
    }

    private static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static Task RefuseHost(Microsoft.AspNetCore.Http.HttpContext context)
    {
        context.Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status421MisdirectedRequest;
        return context.Response.WriteAsync("This dashboard listens on loopback and answers only to localhost, 127.0.0.1 or [::1].");
    }

    private sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>A started dashboard server; disposing stops it.</summary>
internal sealed class RunningDashboard(WebApplication app, string url, DashboardRuntime runtime) : IAsyncDisposable
{
    public string Url { get; } = url;

    public DashboardRuntime Runtime { get; } = runtime;

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>The dashboard could not start (e.g. its port is taken); the message says why in one line.</summary>
public sealed class DashboardStartException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
