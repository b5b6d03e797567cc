using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace MaintenanceActors.EntityFrameworkCore;

/// <summary>
/// One gated database pool: hand <see cref="DataSource"/> to ADO.NET/Dapper code and <see cref="Interceptor"/> to EF Core
/// (or call <c>UseMaintenanceGate</c>); both count against the same gate, which the maintenance drain closes.
/// </summary>
public sealed class MaintenanceDbPool
{
    internal MaintenanceDbPool(DbDataSource inner, DbPoolOptions options)
    {
        Options = options;
        Inner = inner;
        Gate = new DbConnectionGate(options.ResourceName, options.Allowance, options.OpenWaitTimeout);
        DataSource = new GatedDbDataSource(inner, Gate);
        Interceptor = new DbGateInterceptor(Gate);
    }

    /// <summary>The resource name (see <see cref="DbPoolOptions.ResourceName"/>).</summary>
    public string Name => Options.ResourceName;

    /// <summary>The gated data source: connections it opens are counted, and refused or held in maintenance.</summary>
    public DbDataSource DataSource { get; }

    /// <summary>The EF Core interceptor that passes every connection EF opens through the same gate.</summary>
    /// <remarks>Give EF the ungated data source (or connection string) with this interceptor, not <see cref="DataSource"/>, so a connection is counted once.</remarks>
    public IInterceptor Interceptor { get; }

    /// <summary>Connections opened through the gate and not yet given back.</summary>
    public int InUse => Gate.InUse;

    internal DbPoolOptions Options { get; }

    internal DbDataSource Inner { get; }

    internal DbConnectionGate Gate { get; }

    /// <summary>
    /// Closes the idle physical connections (and makes busy ones close when given back). Only a data source's own
    /// <c>Clear</c> reaches its pool: <c>NpgsqlConnection.ClearAllPools()</c> leaves a data source's pool alone.
    /// </summary>
    internal bool ClearIdleConnections()
    {
        if (Inner is NpgsqlDataSource npgsql)
        {
            npgsql.Clear();
            return true;
        }
        return false;
    }
}
