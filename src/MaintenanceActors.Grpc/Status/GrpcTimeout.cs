using System.Globalization;

namespace MaintenanceActors.Grpc;

/// <summary>Formats and parses the <c>grpc-timeout</c> header (at most 8 digits and a unit: H, M, S, m, u, n).</summary>
public static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    /// <summary>Formats a timeout with the finest unit that fits in 8 digits, rounding up so the peer never sees a shorter deadline.</summary>
    public static string Format(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
            return "1n";
        var ticks = timeout.Ticks; // 100 ns
        if (ticks <= MaxValue / 100)
            return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n";
        (long divisor, char unit)[] units =
        [
            (TimeSpan.TicksPerMillisecond / 1000, 'u'),
            (TimeSpan.TicksPerMillisecond, 'm'),
            (TimeSpan.TicksPerSecond, 'S'),
            (TimeSpan.TicksPerMinute, 'M'),
            (TimeSpan.TicksPerHour, 'H'),
        ];
        foreach (var (divisor, unit) in units)
        {
            var value = (ticks + divisor - 1) / divisor;
            if (value <= MaxValue)
                return value.ToString(CultureInfo.InvariantCulture) + unit;
        }
        return MaxValue.ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>Parses a <c>grpc-timeout</c> value; returns false when it is malformed.</summary>
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9)
            return false;
        if (!long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            return false;
        long? ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * 10,
            'n' => (amount + 99) / 100,
            _ => null,
        };
        if (ticks is null)
            return false;
        timeout = TimeSpan.FromTicks(ticks.Value);
        return true;
    }
}
