namespace MaintenanceActors.Dashboard.Watch;

/// <summary>What a watched key is: a service-wide maintenance key, an instance's maintenance key, or an instance's status.</summary>
internal enum FleetKeyKind
{
    Service,
    Instance,
    Status,
}

/// <summary>A key of the fleet contract, split into its service and instance.</summary>
internal sealed record FleetKey(string Key, FleetKeyKind Kind, string Service, string? Instance)
{
    private const string InstancesSegment = "/instances/";

    /// <summary>
    /// Reads <c>&lt;maintenance&gt;&lt;service&gt;</c>, <c>&lt;maintenance&gt;&lt;service&gt;/instances/&lt;id&gt;</c> and
    /// <c>&lt;status&gt;&lt;service&gt;/&lt;id&gt;</c>; anything else under the watched prefix (e.g. roll slots) is not the dashboard's.
    /// </summary>
    public static FleetKey? TryParse(string key, string maintenancePrefix, string statusPrefix)
    {
        if (key.StartsWith(statusPrefix, StringComparison.Ordinal))
        {
            var rest = key[statusPrefix.Length..];
            var slash = rest.IndexOf('/');
            if (slash <= 0 || slash == rest.Length - 1 || rest.IndexOf('/', slash + 1) >= 0)
            {
                return null;
            }
            return new FleetKey(key, FleetKeyKind.Status, rest[..slash], rest[(slash + 1)..]);
        }
        if (key.StartsWith(maintenancePrefix, StringComparison.Ordinal))
        {
            var rest = key[maintenancePrefix.Length..];
            if (rest.Length == 0)
            {
                return null;
            }
            var slash = rest.IndexOf('/');
            if (slash < 0)
            {
                return new FleetKey(key, FleetKeyKind.Service, rest, null);
            }
            var marker = rest.IndexOf(InstancesSegment, StringComparison.Ordinal);
            if (marker <= 0 || marker != slash)
            {
                return null;
            }
            var instance = rest[(marker + InstancesSegment.Length)..];
            return instance.Length == 0 || instance.Contains('/') ? null : new FleetKey(key, FleetKeyKind.Instance, rest[..marker], instance);
        }
        return null;
    }

    /// <summary>The maintenance key for a service, or for one of its instances.</summary>
    public static string MaintenanceKey(string maintenancePrefix, string service, string? instance) =>
        instance is null ? $"{maintenancePrefix}{service}" : $"{maintenancePrefix}{service}{InstancesSegment}{instance}";
}
