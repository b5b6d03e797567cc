using System.Diagnostics;
using System.Net;
using MaintenanceActors.AspNetCore;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Drills.Etcd;
using MaintenanceActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Drills.Refusal;

/// <summary>
/// A real service as a user writes it — Kestrel with <c>AddMaintenance(m => m.UseEtcd(...).AddHttpDrain())</c> and
/// <c>UseMaintenance()</c> — on a real etcd, a raw watch on the same key as the baseline, and an HTTP client.
/// </summary>
internal sealed class HttpRefusalRig : IAsyncDisposable
{
    private const string Key = "/maintenance/http-drill";
    private readonly List<IAsyncDisposable> _owned = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false });
    private EtcdTestWriter _writer = null!;
    private WebApplication _app = null!;

    public Arrivals Raw { get; } = new();

    public string Url { get; private set; } = string.Empty;

    public IMaintenance Maintenance => _app.Services.GetRequiredService<IMaintenance>();

    public static async Task<HttpRefusalRig> StartAsync(CancellationToken cancellationToken)
    {
        var rig = new HttpRefusalRig();
        try
        {
            var etcd = await EtcdServer.StartAsync().ConfigureAwait(false);
            rig._owned.Add(etcd);
            rig._writer = new EtcdTestWriter(etcd.CreateClient());
            var rawClient = etcd.CreateClient();
            rig._owned.AddRange([rig._writer, new OwnedDisposable(rawClient)]);
            await rig._writer.PutAsync(Key, "false", cancellationToken).ConfigureAwait(false);

            var port = FreePort.Get();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
            builder.Services.AddMaintenance(m => m
                .UseEtcd(o =>
                {
                    o.Endpoints = [etcd.Endpoint];
                    o.Key = Key;
                })
                .AddHttpDrain());
            rig._app = builder.Build();
            rig._app.UseMaintenance();
            rig._app.MapGet("/", () => "ok");
            await rig._app.StartAsync(cancellationToken).ConfigureAwait(false);
            rig._owned.Add(rig._app);
            rig.Url = $"http://127.0.0.1:{port}/";
            rig._owned.Add(await RawWatch.StartAsync(rawClient, Key, rig.Raw, cancellationToken).ConfigureAwait(false));
            return rig;
        }
        catch
        {
            await rig.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes the key; returns the revision and the timestamp taken just before the write was sent.</summary>
    public Task<(long Revision, long SentAt)> PutAsync(bool enabled, CancellationToken cancellationToken) =>
        TimedPut.PutAsync(_writer, Key, enabled, cancellationToken);

    /// <summary>Sends requests back to back until one is answered 503; returns when that answer arrived.</summary>
    public async Task<long> PollUntilRefusedAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DrillSettings.EventTimeout);
        while (true)
        {
            using var response = await _http.GetAsync(Url, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var at = Stopwatch.GetTimestamp();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                return at;
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"The service answered {(int)response.StatusCode}; expected 200 or 503");
            }
        }
    }

    /// <summary>Throws unless a request is served (200) now.</summary>
    public async Task ExpectServedAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(Url, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"After maintenance ended the service answered {(int)response.StatusCode}, not 200");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            if (_owned[i] is WebApplication app)
            {
                await app.StopAsync().ConfigureAwait(false);
            }
            await _owned[i].DisposeAsync().ConfigureAwait(false);
        }
    }
}
