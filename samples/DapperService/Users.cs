using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using MaintenanceActors.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Npgsql;
using Samples;

namespace DapperService;

/// <summary>A user as stored and as answered (JSON: id, name, email, created_at, updated_at).</summary>
internal sealed class User
{
    [JsonPropertyName("id")]
    public long Id { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("email")]
    public string Email { get; set; } = "";

    [JsonPropertyName("created_at")]
    public DateTime CreatedAt { get; set; }

    [JsonPropertyName("updated_at")]
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// The SQL that differs between PostgreSQL and SQLite: the schema and the unique-violation error. Timestamps are written as
/// UTC parameters on both, and read back as UTC (SQLite keeps them as text).
/// </summary>
internal sealed class UserSql
{
    public UserSql(bool sqlite)
    {
        IsSqlite = sqlite;
        // Dapper's mapping is process-wide; this service has one database, so one DateTime rule: stored UTC, answered UTC.
        SqlMapper.RemoveTypeMap(typeof(DateTime));
        SqlMapper.AddTypeHandler(new UtcDateTimeHandler());
    }

    public bool IsSqlite { get; }

    public string Schema => IsSqlite
        ? """
          CREATE TABLE IF NOT EXISTS users (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              name TEXT NOT NULL,
              email TEXT NOT NULL UNIQUE,
              created_at TEXT NOT NULL,
              updated_at TEXT NOT NULL)
          """
        : """
          CREATE TABLE IF NOT EXISTS users (
              id bigserial PRIMARY KEY,
              name text NOT NULL,
              email text NOT NULL UNIQUE,
              created_at timestamptz NOT NULL,
              updated_at timestamptz NOT NULL)
          """;

    public static bool IsUniqueViolation(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 2067, // SQLITE_CONSTRAINT_UNIQUE
        _ => false,
    };

    private sealed class UtcDateTimeHandler : SqlMapper.TypeHandler<DateTime>
    {
        public override void SetValue(IDbDataParameter parameter, DateTime value) => parameter.Value = value;

        public override DateTime Parse(object value) => value switch
        {
            DateTime time => time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime(),
            string text => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            _ => Convert.ToDateTime(value, CultureInfo.InvariantCulture),
        };
    }
}

/// <summary>The users API of the reference XORM service on Dapper, every connection from the gated data source.</summary>
internal static class UserEndpoints
{
    private const string Columns = "id AS Id, name AS Name, email AS Email, created_at AS CreatedAt, updated_at AS UpdatedAt";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapUsers(this WebApplication app)
    {
        app.MapGet("/users", async (MaintenanceDbPool db) =>
        {
            await using var connection = await db.DataSource.OpenConnectionAsync();
            return await connection.QueryAsync<User>($"SELECT {Columns} FROM users ORDER BY id");
        });

        app.MapGet("/users/{id:long}", async (long id, MaintenanceDbPool db) =>
        {
            await using var connection = await db.DataSource.OpenConnectionAsync();
            return await connection.QuerySingleOrDefaultAsync<User>($"SELECT {Columns} FROM users WHERE id = @id", new { id }) is { } user
                ? Results.Ok(user)
                : NotFound(id);
        });

        app.MapPost("/users", async (HttpRequest request, MaintenanceDbPool db, CancellationToken ct) =>
        {
            var (input, problem) = await UserInputReader.ReadAsync(request, Json, ct);
            if (problem is not null)
            {
                return problem;
            }
            await using var connection = await db.DataSource.OpenConnectionAsync(ct);
            return await UniqueAsync(async () =>
            {
                var user = await connection.QuerySingleAsync<User>(
                    $"INSERT INTO users (name, email, created_at, updated_at) VALUES (@Name, @Email, @Now, @Now) RETURNING {Columns}",
                    new { input!.Name, input.Email, Now = DateTime.UtcNow });
                return Results.Created($"/users/{user.Id}", user);
            });
        });

        app.MapPut("/users/{id:long}", async (long id, HttpRequest request, MaintenanceDbPool db, CancellationToken ct) =>
        {
            var (input, problem) = await UserInputReader.ReadAsync(request, Json, ct);
            if (problem is not null)
            {
                return problem;
            }
            await using var connection = await db.DataSource.OpenConnectionAsync(ct);
            return await UniqueAsync(async () =>
                await connection.QuerySingleOrDefaultAsync<User>(
                    $"UPDATE users SET name = @Name, email = @Email, updated_at = @Now WHERE id = @id RETURNING {Columns}",
                    new { id, input!.Name, input.Email, Now = DateTime.UtcNow }) is { } user
                    ? Results.Ok(user)
                    : NotFound(id));
        });

        app.MapDelete("/users/{id:long}", async (long id, MaintenanceDbPool db) =>
        {
            await using var connection = await db.DataSource.OpenConnectionAsync();
            return await connection.ExecuteAsync("DELETE FROM users WHERE id = @id", new { id }) > 0 ? Results.NoContent() : NotFound(id);
        });
    }

    private static async Task<IResult> UniqueAsync(Func<Task<IResult>> write)
    {
        try
        {
            return await write();
        }
        catch (DbException ex) when (UserSql.IsUniqueViolation(ex))
        {
            return Results.Problem(statusCode: 409, title: "Email already in use", detail: "Another user has this email address.");
        }
    }

    private static IResult NotFound(long id) => Results.Problem(statusCode: 404, title: "User not found", detail: $"No user with id {id}.");
}

/// <summary>Creates the database (if the PostgreSQL server lacks it) and the users table on start; retries while the database cannot be reached.</summary>
internal sealed class SchemaInitializer(MaintenanceDbPool db, DbDataSource raw, UserSql sql, ILogger<SchemaInitializer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await using (DbConnection connection = await db.DataSource.OpenConnectionAsync(stoppingToken))
                {
                    await connection.ExecuteAsync(sql.Schema);
                }
                log.LogInformation("Schema ready ({Database})", sql.IsSqlite ? "SQLite" : "PostgreSQL");
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                await CreateDatabaseAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt == 1)
                {
                    log.LogWarning("Cannot create the schema yet ({Error}); retrying every second", ex.Message);
                }
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task CreateDatabaseAsync(CancellationToken ct)
    {
        var target = new NpgsqlConnectionStringBuilder(raw.ConnectionString);
        var name = target.Database!;
        target.Database = "postgres";
        target.Pooling = false;
        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync(ct);
        // A database name cannot be a parameter; quote it as an identifier.
        await connection.ExecuteAsync($"CREATE DATABASE \"{name.Replace("\"", "\"\"")}\"");
        log.LogInformation("Created database {Database}", name);
    }
}
