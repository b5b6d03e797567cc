using System.Data.Common;
using MaintenanceActors.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors;

/// <summary>Adds the database drain to <c>services.AddMaintenance(m => ...)</c> and the gate to EF Core.</summary>
public static class MaintenanceBuilderDbExtensions
{
    /// <summary>
    /// Drains a database pool during maintenance: new connections beyond <see cref="DbPoolOptions.Allowance"/> are refused
    /// with <see cref="MaintenanceException"/> (or wait, if <see cref="DbPoolOptions.OpenWaitTimeout"/> is set), the drain
    /// waits for the connections in use, then closes the idle ones. Registers a <see cref="MaintenanceDbPool"/> (keyed by
    /// the resource name, and unkeyed): use its <see cref="MaintenanceDbPool.DataSource"/> for ADO.NET/Dapper and
    /// <c>UseMaintenanceGate</c> on EF Core's options.
    /// </summary>
    /// <param name="maintenance">The maintenance builder.</param>
    /// <param name="dataSource">The application's data source (an <c>NpgsqlDataSource</c> has its idle connections closed by the drain).</param>
    /// <param name="configure">Adjusts the options.</param>
    public static MaintenanceBuilder AddDbPool(this MaintenanceBuilder maintenance, Func<IServiceProvider, DbDataSource> dataSource,
        Action<DbPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(maintenance);
        ArgumentNullException.ThrowIfNull(dataSource);

        // Validated now so a bad value fails at registration, naming the field, not at the first maintenance.
        var options = new DbPoolOptions();
        configure?.Invoke(options);
        options.Validate();

        var name = options.ResourceName;
        maintenance.Services.AddKeyedSingleton(name, (sp, _) => new MaintenanceDbPool(dataSource(sp), options));
        maintenance.Services.AddSingleton(sp => sp.GetRequiredKeyedService<MaintenanceDbPool>(name));
        return maintenance.AddResource<DbPoolActor>(name, r => r.DrainTimeout = options.DrainTimeout, name);
    }

    /// <summary>
    /// Passes every connection this context opens through the maintenance gate of the pool registered by
    /// <see cref="AddDbPool"/> (<paramref name="resourceName"/>, or the only one).
    /// </summary>
    public static DbContextOptionsBuilder UseMaintenanceGate(this DbContextOptionsBuilder options, IServiceProvider services, string? resourceName = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        var pool = resourceName is null
            ? services.GetRequiredService<MaintenanceDbPool>()
            : services.GetRequiredKeyedService<MaintenanceDbPool>(resourceName);
        return options.AddInterceptors(pool.Interceptor);
    }
}
