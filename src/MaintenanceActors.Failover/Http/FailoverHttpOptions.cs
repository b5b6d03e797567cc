using System.Net;

namespace MaintenanceActors.Failover.Http;

/// <summary>How <see cref="FailoverHttpHandler"/> recognises service names and which failed requests it sends to another endpoint.</summary>
public sealed class FailoverHttpOptions
{
    /// <summary>
    /// Host names resolved through the registry (e.g. <c>users-service</c>). Empty (default): every host without a dot that
    /// is not an IP address or <c>localhost</c>; requests to other hosts pass through untouched.
    /// </summary>
    public HashSet<string> Services { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// gRPC methods (<c>/package.Service/Method</c>) whose calls may be sent again after UNAVAILABLE; <c>*</c> means every
    /// method. gRPC calls are POSTs, so without this they are tried once. Default: none.
    /// </summary>
    public HashSet<string> IdempotentGrpcMethods { get; } = new(StringComparer.Ordinal);

    /// <summary>Attempts per request including the first (default null: the failover settings' 1 + Retry.MaxRetries).</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>The caller's region, for the geographic strategy.</summary>
    public string? Region { get; set; }

    /// <summary>Picks the key for key-hash selection (sticky sessions), e.g. a session cookie; default none.</summary>
    public Func<HttpRequestMessage, string?>? Key { get; set; }

    /// <summary>Checks the settings; throws <see cref="MaintenanceConfigurationException"/> naming the first bad field.</summary>
    public void Validate(string section = "Failover:Http")
    {
        if (MaxAttempts is < 1)
        {
            throw new MaintenanceConfigurationException($"{section}:MaxAttempts", $"must be at least 1 when set, but was {MaxAttempts}");
        }
        if (Services.Any(s => string.IsNullOrWhiteSpace(s)))
        {
            throw new MaintenanceConfigurationException($"{section}:Services", "must not hold empty names");
        }
    }

    internal bool IsService(string host)
    {
        if (Services.Count > 0)
        {
            return Services.Contains(host);
        }
        return host.Length > 0 && !host.Contains('.') && !host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            && !IPAddress.TryParse(host, out _);
    }
}
