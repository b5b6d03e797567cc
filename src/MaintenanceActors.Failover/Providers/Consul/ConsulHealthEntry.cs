using System.Text.Json;
using System.Text.Json.Serialization;

namespace MaintenanceActors.Failover.Providers;

/// <summary>One element of Consul's <c>/v1/health/service/{name}</c> answer: the node, the service instance and its checks.</summary>
internal sealed record ConsulHealthEntry(ConsulNode Node, ConsulService Service, IReadOnlyList<ConsulCheck> Checks)
{
    public static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, NumberHandling = JsonNumberHandling.AllowReadingFromString };

    /// <summary><c>consul maint -enable</c> adds a critical check with this id prefix for a service, or this id for a node.</summary>
    public const string ServiceMaintenancePrefix = "_service_maintenance:";
    public const string NodeMaintenance = "_node_maintenance";

    /// <summary>The maintenance check that is critical, if any (its Notes hold the reason given to <c>consul maint</c>).</summary>
    public ConsulCheck? Maintenance => Checks.FirstOrDefault(c => c.Status == "critical"
        && (c.CheckID == NodeMaintenance || c.CheckID.StartsWith(ServiceMaintenancePrefix, StringComparison.Ordinal)));

    /// <summary>True when a check other than maintenance is critical.</summary>
    public bool Failing => Checks.Any(c => c.Status == "critical"
        && c.CheckID != NodeMaintenance && !c.CheckID.StartsWith(ServiceMaintenancePrefix, StringComparison.Ordinal));
}

internal sealed record ConsulNode(string Node, string Address, string? Datacenter);

internal sealed record ConsulService(string ID, string Service, string? Address, int Port, IReadOnlyList<string>? Tags,
    IReadOnlyDictionary<string, string>? Meta, ConsulWeights? Weights);

internal sealed record ConsulWeights(int Passing, int Warning);

internal sealed record ConsulCheck(string CheckID, string Name, string Status, string? Notes, string? Output, string? ServiceID);
