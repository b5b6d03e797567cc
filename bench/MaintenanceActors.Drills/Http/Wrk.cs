using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MaintenanceActors.Drills.Http;

/// <summary>One wrk run's result.</summary>
internal sealed record WrkResult(double RequestsPerSecond, long Requests, long Non2xx, long SocketErrors);

/// <summary>Runs the wrk load generator (Debian package wrk) and reads its summary.</summary>
internal static partial class Wrk
{
    private const string Binary = "/usr/bin/wrk";

    public static void EnsureInstalled()
    {
        if (!File.Exists(Binary))
        {
            throw new FileNotFoundException($"{Binary} is missing: install it with `sudo apt-get install -y wrk` (scripts/bench.sh does).");
        }
    }

    public static async Task<WrkResult> RunAsync(string url, int threads, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[$"-t{threads}", $"-c{connections}", $"-d{(int)Math.Ceiling(duration.TotalSeconds)}s", url])
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start wrk");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var output = await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await stderr.ConfigureAwait(false)}{output}");
        }
        var rate = RequestsPerSecond().Match(output);
        var total = Total().Match(output);
        if (!rate.Success || !total.Success)
        {
            throw new InvalidOperationException($"Could not read wrk's summary:\n{output}");
        }
        var non2xx = Non2xx().Match(output);
        var errors = SocketErrors().Match(output);
        return new WrkResult(
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            errors.Success ? errors.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"([0-9]+) requests in")]
    private static partial Regex Total();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+([0-9]+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)")]
    private static partial Regex SocketErrors();
}
