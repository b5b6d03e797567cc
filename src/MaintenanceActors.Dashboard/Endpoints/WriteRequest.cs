using System.Text.RegularExpressions;

namespace MaintenanceActors.Dashboard.Endpoints;

/// <summary>
/// The body of <c>POST api/maintenance</c>: turn maintenance on or off for a service (or one instance), saying why; optionally until
/// a time (<see cref="Until"/>) or for a while (<see cref="ForSeconds"/>), and who (default: the dashboard's <c>By</c>).
/// </summary>
internal sealed record WriteRequest(string? Service, string? Instance, bool? Enabled, string? Reason, string? By, DateTimeOffset? Until, int? ForSeconds)
{
    public const int MaxReasonLength = 500;

    /// <summary>Names that are safe as one segment of an etcd key (no '/'), as services and instances are named.</summary>
    private static readonly Regex Name = new("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", RegexOptions.CultureInvariant);

    /// <summary>Null when the request can be written; otherwise what is wrong, naming the field.</summary>
    public string? Problem(DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(Service) || !Name.IsMatch(Service))
        {
            return "\"service\" must name a service: letters, digits, '.', '_', ':' or '-' (e.g. orders)";
        }
        if (Instance is not null && !Name.IsMatch(Instance))
        {
            return "\"instance\" must be null (the whole service) or name an instance: letters, digits, '.', '_', ':' or '-' (e.g. orders-1)";
        }
        if (Enabled is null)
        {
            return "\"enabled\" must be true (enter maintenance) or false (leave it)";
        }
        if (string.IsNullOrWhiteSpace(Reason))
        {
            return "\"reason\" must say why (every write records who and why)";
        }
        if (Reason.Length > MaxReasonLength)
        {
            return $"\"reason\" must be at most {MaxReasonLength} characters";
        }
        if (By is not null && (By.Length > 200 || string.IsNullOrWhiteSpace(By)))
        {
            return "\"by\" must be null (the dashboard's user) or a name of at most 200 characters";
        }
        if (Until is not null && ForSeconds is not null)
        {
            return "give \"until\" or \"forSeconds\", not both";
        }
        if (ForSeconds is <= 0)
        {
            return "\"forSeconds\" must be positive (e.g. 1800 for 30 minutes)";
        }
        if (Until is { } until && until <= now)
        {
            return "\"until\" must be in the future (an ISO-8601 time such as 2026-12-01T22:00:00Z)";
        }
        if (Until is not null && Enabled == false || ForSeconds is not null && Enabled == false)
        {
            return "\"until\" and \"forSeconds\" only apply when enabling";
        }
        return null;
    }

    /// <summary>When maintenance ends by itself, if the request says so.</summary>
    public DateTimeOffset? EffectiveUntil(DateTimeOffset now) => Until ?? (ForSeconds is { } seconds ? now.AddSeconds(seconds) : null);
}
