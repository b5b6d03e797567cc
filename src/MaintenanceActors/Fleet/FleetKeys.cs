namespace MaintenanceActors.Fleet;

/// <summary>The etcd key layout of a fleet, shared by the services, maintctl and the dashboard.</summary>
/// <remarks>
/// <c>/maintenance/&lt;service&gt;</c> (service-wide), <c>/maintenance/&lt;service&gt;/instances/&lt;id&gt;</c> (one instance),
/// <c>/maintenance-status/&lt;service&gt;/&lt;id&gt;</c> (an instance's status, on its lease).
/// </remarks>
public static class FleetKeys
{
    /// <summary>Where maintenance values live.</summary>
    public const string MaintenanceRoot = "/maintenance";

    /// <summary>Where instances publish their status.</summary>
    public const string StatusRoot = "/maintenance-status";

    /// <summary>The segment between a service key and an instance id.</summary>
    public const string InstancesSegment = "/instances/";

    /// <summary>The service-wide key, e.g. <c>/maintenance/orders</c>.</summary>
    public static string ServiceKey(string service) => $"{MaintenanceRoot}/{service}";

    /// <summary>One instance's key, e.g. <c>/maintenance/orders/instances/orders-1</c>.</summary>
    public static string InstanceKey(string service, string instanceId) => InstanceKeyUnder(ServiceKey(service), instanceId);

    /// <summary>The prefix of every instance key of a service, e.g. <c>/maintenance/orders/instances/</c>.</summary>
    public static string InstancesPrefix(string service) => ServiceKey(service) + InstancesSegment;

    /// <summary>One instance's status key, e.g. <c>/maintenance-status/orders/orders-1</c>.</summary>
    public static string StatusKey(string service, string instanceId) => $"{StatusRoot}/{service}/{instanceId}";

    /// <summary>The prefix of every status key of a service (<c>/maintenance-status/orders/</c>), or of all services when null.</summary>
    public static string StatusPrefix(string? service = null) => service is null ? StatusRoot + "/" : $"{StatusRoot}/{service}/";

    /// <summary>Splits a status key into service and instance id; false for any other key.</summary>
    public static bool TryParseStatusKey(string key, out string service, out string instanceId)
    {
        service = instanceId = string.Empty;
        if (!key.StartsWith(StatusRoot + "/", StringComparison.Ordinal))
        {
            return false;
        }
        var parts = key[(StatusRoot.Length + 1)..].Split('/');
        if (parts.Length != 2 || !IsValidName(parts[0]) || !IsValidName(parts[1]))
        {
            return false;
        }
        (service, instanceId) = (parts[0], parts[1]);
        return true;
    }

    /// <summary>Service names and instance ids: letters, digits, '-', '_' and '.', at most 128 characters.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 128 && name is not ("." or "..") && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    internal static string InstanceKeyUnder(string serviceKey, string instanceId) => serviceKey.TrimEnd('/') + InstancesSegment + instanceId;
}
