using System.Diagnostics;
using System.Globalization;

namespace MaintenanceActors.Drills.Core;

/// <summary>Percentiles (nearest rank) of a set of durations in milliseconds.</summary>
internal sealed class LatencyStats
{
    private readonly double[] _sorted;

    public LatencyStats(IEnumerable<double> milliseconds)
    {
        _sorted = milliseconds.Order().ToArray();
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("No samples were taken.", nameof(milliseconds));
        }
    }

    public int Count => _sorted.Length;
    public double P50 => Percentile(50);
    public double P99 => Percentile(99);
    public double Max => _sorted[^1];
    public double Mean => _sorted.Average();

    public double Percentile(double p)
    {
        var rank = (int)Math.Ceiling(p / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }

    /// <summary>Milliseconds between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    public static string Format(double milliseconds) => milliseconds.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Ratio(double ratio) => ratio.ToString("0.000", CultureInfo.InvariantCulture);
}
