using System.Data.Common;
using MaintenanceActors;
using MaintenanceActors.AspNetCore;
using MaintenanceActors.EntityFrameworkCore;

namespace Samples;

/// <summary>The maintenance set-up both users APIs share (EF Core and Dapper): the etcd key, the HTTP drain and the database drain.</summary>
internal static class UsersApiMaintenance
{
    public static IServiceCollection AddUsersApiMaintenance(this IServiceCollection services, string etcdEndpoints, string maintenanceKey) =>
        services.AddMaintenance(m => m
            .UseEtcd(etcd =>
            {
                etcd.Endpoints = EtcdSourceOptions.SplitEndpoints(etcdEndpoints);
                etcd.Key = maintenanceKey;
            })
            .AddHttpDrain(http => http.DrainTimeout = TimeSpan.FromSeconds(30))
            .AddDbPool(sp => sp.GetRequiredService<DbDataSource>(), db =>
            {
                db.DrainTimeout = TimeSpan.FromSeconds(30);
                db.HealthCheckInterval = TimeSpan.FromSeconds(2);
            }));

    /// <summary>Maintenance first in the pipeline, then problem+json for database failures, the health endpoints and the users API.</summary>
    public static void UseUsersApi(this WebApplication app, Action<WebApplication> mapUsers)
    {
        app.UseMaintenance();
        app.UseExceptionHandler();
        app.MapMaintenanceEndpoints();   // /health, /health/ready, /stats (pool and request statistics)
        mapUsers(app);
    }
}
