using System.Globalization;

namespace MaintenanceActors.Cli.Roll;

/// <summary><c>--max-unavailable</c>: a count (2) or a percentage of the fleet (25%), rounded down but at least 1.</summary>
internal sealed record MaxUnavailable(int? Count, int? Percent)
{
    public static MaxUnavailable Parse(string text)
    {
        var t = text.Trim();
        if (t.EndsWith('%') && int.TryParse(t[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent) && percent is >= 1 and <= 100)
        {
            return new MaxUnavailable(null, percent);
        }
        if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1)
        {
            return new MaxUnavailable(count, null);
        }
        throw new UsageException($"--max-unavailable must be a count of at least 1 (e.g. 2) or a percentage from 1% to 100% (e.g. 25%), not '{text}'");
    }

    /// <summary>The number of instances a roll may hold out of service at once in a fleet of <paramref name="fleetSize"/>.</summary>
    public int For(int fleetSize) => Count ?? Math.Max(1, fleetSize * Percent!.Value / 100);

    public override string ToString() => Count?.ToString(CultureInfo.InvariantCulture) ?? $"{Percent}%";
}
