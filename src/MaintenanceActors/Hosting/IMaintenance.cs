namespace MaintenanceActors;

/// <summary>The maintenance façade for code that does not want to speak in messages.</summary>
public interface IMaintenance
{
    /// <summary>True from the moment any source asks for maintenance (before intake stops) until all sources say off.</summary>
    bool IsInMaintenance { get; }

    /// <summary>Switches maintenance: writes the etcd key (as JSON with the reason) when etcd is used, else sets the manual source.</summary>
    Task SetMaintenanceModeAsync(bool enabled, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the source of truth: the etcd key when etcd is used, else the supervisor's desired state.</summary>
    Task<bool> GetMaintenanceModeAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits until every resource has applied <paramref name="enabled"/>; false when <paramref name="timeout"/> passes first.</summary>
    Task<bool> WaitForMaintenanceModeAsync(bool enabled, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Desired and applied state, each source's vote and reason, and the last transition.</summary>
    Task<MaintenanceStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Health of every resource and source.</summary>
    Task<MaintenanceHealthReport> GetHealthAsync(CancellationToken cancellationToken = default);

    /// <summary>Calls <paramref name="handler"/> for each maintenance event the filter accepts, until the result is disposed.</summary>
    IDisposable Subscribe(MaintenanceEventFilter filter, Action<object> handler);
}
