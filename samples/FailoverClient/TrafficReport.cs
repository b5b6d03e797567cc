using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace FailoverClient;

/// <summary>Counts answers per instance and failures, and prints one line per report window plus totals at the end.</summary>
internal sealed class TrafficReport
{
    private ConcurrentDictionary<string, int> _window = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _total = new(StringComparer.Ordinal);
    private int _windowFailed;
    private long _totalFailed;
    private long _totalRequests;

    public void Answered(string instance)
    {
        _window.AddOrUpdate(instance, 1, (_, n) => n + 1);
        _total.AddOrUpdate(instance, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _totalRequests);
    }

    public void Failed(string why)
    {
        Interlocked.Increment(ref _windowFailed);
        Interlocked.Increment(ref _totalFailed);
        Interlocked.Increment(ref _totalRequests);
        LastFailure = why;
    }

    public string? LastFailure { get; private set; }

    public long TotalFailed => Interlocked.Read(ref _totalFailed);

    /// <summary>One line for the window that just ended: each instance's share of the answers, and failures.</summary>
    public string Flush(IReadOnlyCollection<string> known, IReadOnlySet<string> inMaintenance)
    {
        var window = Interlocked.Exchange(ref _window, new ConcurrentDictionary<string, int>(StringComparer.Ordinal));
        var failed = Interlocked.Exchange(ref _windowFailed, 0);
        var answered = window.Values.Sum();
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] {answered + failed,5} requests ");
        foreach (var instance in known.Union(window.Keys).Order(StringComparer.Ordinal))
        {
            var count = window.GetValueOrDefault(instance);
            var share = answered == 0 ? 0 : 100.0 * count / answered;
            line.Append(CultureInfo.InvariantCulture, $" {instance} {share,5:0.0}% ({count}){(inMaintenance.Contains(instance) ? " [maintenance]" : "")}");
        }
        line.Append(CultureInfo.InvariantCulture, $"  failed {failed} (total failed {TotalFailed})");
        if (failed > 0 && LastFailure is { } why)
        {
            line.Append(CultureInfo.InvariantCulture, $": {why}");
        }
        return line.ToString();
    }

    public string Totals()
    {
        var perInstance = string.Join(", ", _total.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"));
        return string.Create(CultureInfo.InvariantCulture, $"total: {Interlocked.Read(ref _totalRequests)} requests, {TotalFailed} failed; {perInstance}");
    }
}
