using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MaintenanceActors.Cli.Output;

/// <summary>Durations as etcdctl and Go write them (<c>500ms</c>, <c>30s</c>, <c>30m</c>, <c>1h30m</c>, plus <c>2d</c>), read and written.</summary>
internal static partial class Durations
{
    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Whole();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    /// <summary>Reads <paramref name="text"/>; throws a <see cref="UsageException"/> naming <paramref name="what"/> when it is not a positive duration.</summary>
    public static TimeSpan Parse(string text, string what)
    {
        var trimmed = text.Trim();
        if (Whole().IsMatch(trimmed))
        {
            var total = TimeSpan.Zero;
            foreach (Match part in Part().Matches(trimmed))
            {
                var number = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
                total += part.Groups[2].Value switch
                {
                    "ms" => TimeSpan.FromMilliseconds(number),
                    "s" => TimeSpan.FromSeconds(number),
                    "m" => TimeSpan.FromMinutes(number),
                    "h" => TimeSpan.FromHours(number),
                    _ => TimeSpan.FromDays(number),
                };
            }
            if (total > TimeSpan.Zero)
            {
                return total;
            }
        }
        throw new UsageException($"{what} must be a positive duration such as 500ms, 30s, 30m or 1h30m, not '{text}'");
    }

    /// <summary>A short form for tables: <c>850ms</c>, <c>12.3s</c>, <c>4m05s</c>, <c>2h10m</c>.</summary>
    public static string Format(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            return "-" + Format(-span);
        }
        if (span < TimeSpan.FromSeconds(1))
        {
            return $"{span.TotalMilliseconds:0}ms";
        }
        if (span < TimeSpan.FromMinutes(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0}s");
        }
        var text = new StringBuilder();
        if (span >= TimeSpan.FromDays(1)) text.Append(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d");
        if (span >= TimeSpan.FromHours(1)) text.Append(CultureInfo.InvariantCulture, $"{span.Hours}h{span.Minutes:00}m");
        else text.Append(CultureInfo.InvariantCulture, $"{span.Minutes}m{span.Seconds:00}s");
        return text.ToString();
    }

    /// <summary>UTC ISO-8601 to the second, as the contract writes times.</summary>
    public static string Time(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
