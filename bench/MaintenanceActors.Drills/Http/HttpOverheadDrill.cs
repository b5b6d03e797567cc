using System.Globalization;
using System.Net;
using MaintenanceActors.Drills.Core;

namespace MaintenanceActors.Drills.Http;

/// <summary>
/// Issue 5: throughput of a trivial Kestrel endpoint with <c>app.UseMaintenance()</c> + AddHttpDrain versus without,
/// driven by wrk. Rounds alternate the order (A B, B A, ...) so drift in the machine's load hits both sides alike.
/// </summary>
internal sealed class HttpOverheadDrill : IDrill
{
    private const int Threads = 1;
    private const int Connections = 32;

    public string Name => "http-overhead";

    public string Description => "wrk req/s with UseMaintenance()+AddHttpDrain ÷ without, trivial endpoint (issue 5)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        Wrk.EnsureInstalled();
        var rounds = settings.Size(10, 1);
        var duration = TimeSpan.FromSeconds(settings.Size(3, 1));
        await using var with = await TrivialApp.StartAsync(withMaintenance: true, cancellationToken).ConfigureAwait(false);
        await using var without = await TrivialApp.StartAsync(withMaintenance: false, cancellationToken).ConfigureAwait(false);

        // Warm-up: JIT, connection pools and tiered compilation of both pipelines.
        await Wrk.RunAsync(with.Url, Threads, Connections, TimeSpan.FromSeconds(settings.Size(3, 1)), cancellationToken).ConfigureAwait(false);
        await Wrk.RunAsync(without.Url, Threads, Connections, TimeSpan.FromSeconds(settings.Size(3, 1)), cancellationToken).ConfigureAwait(false);

        var table = new MarkdownTable("round", "order", "with gate req/s", "without req/s", "ratio");
        double withTotal = 0, withoutTotal = 0;
        var roundRatios = new List<double>(rounds);
        for (var round = 1; round <= rounds; round++)
        {
            var gateFirst = round % 2 == 1;
            WrkResult a, b;
            if (gateFirst)
            {
                a = await RunCheckedAsync(with.Url, duration, cancellationToken).ConfigureAwait(false);
                b = await RunCheckedAsync(without.Url, duration, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                b = await RunCheckedAsync(without.Url, duration, cancellationToken).ConfigureAwait(false);
                a = await RunCheckedAsync(with.Url, duration, cancellationToken).ConfigureAwait(false);
            }
            withTotal += a.RequestsPerSecond;
            withoutTotal += b.RequestsPerSecond;
            roundRatios.Add(a.RequestsPerSecond / b.RequestsPerSecond);
            table.Add(round.ToString(CultureInfo.InvariantCulture), gateFirst ? "with, without" : "without, with",
                Rate(a.RequestsPerSecond), Rate(b.RequestsPerSecond), LatencyStats.Ratio(a.RequestsPerSecond / b.RequestsPerSecond));
        }
        var ratio = withTotal / withoutTotal;
        table.Add("all (ratio of sums)", "", Rate(withTotal / rounds), Rate(withoutTotal / rounds), LatencyStats.Ratio(ratio));
        var spread = new LatencyStats(roundRatios);
        table.Add("round ratios: min / median / max", "", "", "",
            $"{LatencyStats.Ratio(roundRatios.Min())} / {LatencyStats.Ratio(spread.P50)} / {LatencyStats.Ratio(spread.Max)}");

        await ProveGateIsLiveAsync(with, cancellationToken).ConfigureAwait(false);
        return new DrillReport(Name, table,
            [new TargetCheck("with ÷ without ≥ 0.98 (ratio of sums)", LatencyStats.Ratio(ratio), ratio >= 0.98)],
            [$"wrk -t{Threads} -c{Connections} -d{duration.TotalSeconds:0}s per side per round, {rounds} rounds, GET / answered \"ok\" by a minimal-API endpoint; "
             + "both apps in this process on 127.0.0.1, wrk in its own process on the same cores. "
             + "The spread of the per-round ratios shows the machine's noise: both sides run the same endpoint, so a wide spread is load, not the gate. "
             + "After the runs, maintenance is switched on in the gated app and a request must get 503, proving the gate was in the pipeline."]);
    }

    private static async Task<WrkResult> RunCheckedAsync(string url, TimeSpan duration, CancellationToken cancellationToken)
    {
        var result = await Wrk.RunAsync(url, Threads, Connections, duration, cancellationToken).ConfigureAwait(false);
        if (result.Non2xx > 0 || result.SocketErrors > 0)
        {
            throw new InvalidOperationException($"wrk against {url} saw {result.Non2xx} non-2xx responses and {result.SocketErrors} socket errors");
        }
        return result;
    }

    private static async Task ProveGateIsLiveAsync(TrivialApp app, CancellationToken cancellationToken)
    {
        var maintenance = app.Maintenance ?? throw new InvalidOperationException("The gated app has no IMaintenance registered");
        await maintenance.SetMaintenanceModeAsync(true, "drill", cancellationToken).ConfigureAwait(false);
        if (!await maintenance.WaitForMaintenanceModeAsync(true, DrillSettings.EventTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new TimeoutException("The gated app did not enter maintenance");
        }
        using var client = new HttpClient();
        using var response = await client.GetAsync(app.Url, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
        {
            throw new InvalidOperationException($"In maintenance the gated app answered {(int)response.StatusCode}, not 503: the gate was not in the pipeline");
        }
    }

    private static string Rate(double value) => value.ToString("0", CultureInfo.InvariantCulture);
}
