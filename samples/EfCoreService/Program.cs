// EfCoreService: the reference GORM users API on EF Core, drained when its etcd key says maintenance.
//
//   DATABASE_URL     postgres://user:pass@host:5432/db, libpq 'host=… user=… dbname=… port=…', an Npgsql connection
//                    string, or sqlite:<file> (no server). Default: host=localhost user=postgres password=postgres
//                    dbname=testdb port=5432 sslmode=disable
//   ETCD_ENDPOINTS   etcd endpoints, comma-separated (default 127.0.0.1:2379)
//   MAINTENANCE_KEY  the key to watch (default /maintenance/database-service)
//   PORT             port to listen on (default 8080)
//   LISTEN_ADDRESS   address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
//
// In maintenance user operations answer 503 problem+json, running queries finish, and once drained the service holds
// no connection to the database. A bad setting stops it with one line naming the variable and exit code 2.
using System.Data.Common;
using EfCoreService;
using MaintenanceActors;
using MaintenanceActors.AspNetCore;
using MaintenanceActors.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Samples;

return SampleEnvironment.Run(() =>
{
var database = DatabaseTarget.Parse("DATABASE_URL", SampleEnvironment.Text("DATABASE_URL", DatabaseTarget.Default));
var etcdEndpoints = SampleEnvironment.Text("ETCD_ENDPOINTS", "127.0.0.1:2379", "Maintenance:Etcd:Endpoints");
var maintenanceKey = SampleEnvironment.Text("MAINTENANCE_KEY", "/maintenance/database-service", "Maintenance:Etcd:Key");
var port = SampleEnvironment.Port("PORT", 8080);
var listenAddress = SampleEnvironment.ListenAddress();

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(listenAddress, port));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<DatabaseProblems>();

// One data source for the whole service: EF Core uses it with the gate as an interceptor; the drain clears its pool.
builder.Services.AddSingleton<DbDataSource>(_ => database.IsSqlite
    ? SqliteFactory.Instance.CreateDataSource(database.ConnectionString)
    : NpgsqlDataSource.Create(database.ConnectionString));
builder.Services.AddDbContext<UsersDb>((sp, options) =>
{
    if (database.IsSqlite)
    {
        options.UseSqlite(database.ConnectionString);
    }
    else
    {
        options.UseNpgsql((NpgsqlDataSource)sp.GetRequiredService<DbDataSource>());
    }
    options.UseMaintenanceGate(sp);
});
builder.Services.AddHostedService<SchemaInitializer>();

builder.Services.AddUsersApiMaintenance(etcdEndpoints, maintenanceKey);

var app = builder.Build();
app.UseUsersApi(users => users.MapUsers());

app.Run();
return 0;
});
