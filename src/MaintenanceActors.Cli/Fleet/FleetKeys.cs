namespace MaintenanceActors.Cli.Fleet;

/// <summary>The fleet contract's etcd keys (docs/maintctl.md, "Keys").</summary>
internal static class FleetKeys
{
    /// <summary>Every fleet key starts with this: one prefix read or watch sees maintenance values, status and roll slots.</summary>
    public const string Root = "/maintenance";

    public const string MaintenancePrefix = "/maintenance/";
    public const string StatusPrefix = "/maintenance-status/";
    public const string RollPrefix = "/maintenance-roll/";

    // The services' own layout (MaintenanceActors.Fleet.FleetKeys); the roll's slots are maintctl's alone.
    public static string Service(string service) => MaintenanceActors.Fleet.FleetKeys.ServiceKey(service);

    public static string Instance(string service, string instance) => MaintenanceActors.Fleet.FleetKeys.InstanceKey(service, instance);

    public static string InstancesPrefix(string service) => MaintenanceActors.Fleet.FleetKeys.InstancesPrefix(service);

    public static string StatusOf(string service) => MaintenanceActors.Fleet.FleetKeys.StatusPrefix(service);

    public static string Status(string service, string instance) => MaintenanceActors.Fleet.FleetKeys.StatusKey(service, instance);

    public static string SlotsOf(string service) => RollPrefix + service + "/slots/";

    public static string Slot(string service, string instance) => SlotsOf(service) + instance;

    /// <summary>What a fleet key is about; null for keys outside the contract.</summary>
    public static FleetKey? Classify(string key)
    {
        if (key.StartsWith(StatusPrefix, StringComparison.Ordinal))
        {
            var parts = key[StatusPrefix.Length..].Split('/');
            return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? new FleetKey(FleetKeyKind.Status, parts[0], parts[1]) : null;
        }
        if (key.StartsWith(RollPrefix, StringComparison.Ordinal))
        {
            var parts = key[RollPrefix.Length..].Split('/');
            return parts.Length == 3 && parts[1] == "slots" && parts[0].Length > 0 && parts[2].Length > 0
                ? new FleetKey(FleetKeyKind.Slot, parts[0], parts[2]) : null;
        }
        if (key.StartsWith(MaintenancePrefix, StringComparison.Ordinal))
        {
            var parts = key[MaintenancePrefix.Length..].Split('/');
            if (parts.Length == 1 && parts[0].Length > 0)
            {
                return new FleetKey(FleetKeyKind.ServiceValue, parts[0], null);
            }
            if (parts.Length == 3 && parts[1] == "instances" && parts[0].Length > 0 && parts[2].Length > 0)
            {
                return new FleetKey(FleetKeyKind.InstanceValue, parts[0], parts[2]);
            }
        }
        return null;
    }

    /// <summary>Checks a service or instance name given on the command line (it becomes one key segment); the same rule as the services' own.</summary>
    public static string ValidName(string? name, string what)
    {
        if (!MaintenanceActors.Fleet.FleetKeys.IsValidName(name))
        {
            throw new UsageException($"{what} must be a name of at most 128 letters, digits, '.', '_' or '-' (it is one etcd key segment), not '{name}'");
        }
        return name!;
    }
}

internal enum FleetKeyKind
{
    ServiceValue,
    InstanceValue,
    Status,
    Slot,
}

internal sealed record FleetKey(FleetKeyKind Kind, string Service, string? Instance);
