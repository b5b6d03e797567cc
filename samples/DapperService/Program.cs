// DapperService: the reference XORM users API on Dapper, drained when its etcd key says maintenance.
//
//   DB_HOST          PostgreSQL host (default localhost)
//   DB_PORT          PostgreSQL port (default 5432)
//   DB_NAME          database, created if missing (default dapperdb)
//   DB_USER          user (default postgres)
//   DB_PASSWORD      password (default postgres)
//   DATABASE_URL     instead of DB_*: a postgres:// URL, libpq 'host=… dbname=…', an Npgsql connection string, or
//                    sqlite:<file> for SQLite with no database server (default: unset, DB_* apply)
//   ETCD_ENDPOINTS   etcd endpoints, comma-separated (default 127.0.0.1:2379)
//   MAINTENANCE_KEY  the key to watch (default /maintenance/dapper-service)
//   PORT             port to listen on (default 8081)
//   LISTEN_ADDRESS   address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
//
// Every connection comes from the gated data source (MaintenanceDbPool.DataSource): in maintenance user operations
// answer 503 problem+json, running queries finish, and once drained the service holds no connection to the database.
using System.Data.Common;
using DapperService;
using MaintenanceActors;
using MaintenanceActors.AspNetCore;
using Microsoft.Data.Sqlite;
using Npgsql;
using Samples;

return SampleEnvironment.Run(() =>
{
var databaseUrl = SampleEnvironment.Text("DATABASE_URL", "");
var database = databaseUrl.Length > 0
    ? DatabaseTarget.Parse("DATABASE_URL", databaseUrl)
    : new DatabaseTarget(false, new NpgsqlConnectionStringBuilder
    {
        Host = SampleEnvironment.Text("DB_HOST", "localhost"),
        Port = SampleEnvironment.Port("DB_PORT", 5432),
        Database = SampleEnvironment.Text("DB_NAME", "dapperdb"),
        Username = SampleEnvironment.Text("DB_USER", "postgres"),
        Password = SampleEnvironment.Text("DB_PASSWORD", "postgres"),
    }.ConnectionString);
if (!database.IsSqlite)
{
    // pg_stat_activity tells this service's sessions apart by application name.
    var named = new NpgsqlConnectionStringBuilder(database.ConnectionString);
    named.ApplicationName ??= "dapper-service";
    database = database with { ConnectionString = named.ConnectionString };
}
var etcdEndpoints = SampleEnvironment.Text("ETCD_ENDPOINTS", "127.0.0.1:2379", "Maintenance:Etcd:Endpoints");
var maintenanceKey = SampleEnvironment.Text("MAINTENANCE_KEY", "/maintenance/dapper-service", "Maintenance:Etcd:Key");
var port = SampleEnvironment.Port("PORT", 8081);
var listenAddress = SampleEnvironment.ListenAddress();

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(listenAddress, port));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<DatabaseProblems>();
builder.Services.AddSingleton<DbDataSource>(_ => database.IsSqlite
    ? SqliteFactory.Instance.CreateDataSource(database.ConnectionString)
    : NpgsqlDataSource.Create(database.ConnectionString));
builder.Services.AddSingleton(new UserSql(database.IsSqlite));
builder.Services.AddHostedService<SchemaInitializer>();
builder.Services.AddUsersApiMaintenance(etcdEndpoints, maintenanceKey);

var app = builder.Build();
app.UseUsersApi(users => users.MapUsers());

app.Run();
return 0;
});
