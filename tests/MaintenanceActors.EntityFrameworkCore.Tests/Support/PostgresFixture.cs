using MaintenanceActors.Testing;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MaintenanceActors.EntityFrameworkCore.Tests.Support;

/// <summary>One PostgreSQL 15 for the whole collection; each spec tells its connections apart by application name.</summary>
public sealed class PostgresFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture did not start");

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        // Shown in the run's output (xunit.runner.json enables diagnostic messages), so a report says which server the specs used.
        diagnostics.OnMessage(new DiagnosticMessage(PostgresServer.VersionLine ?? "[PostgresServer] started"));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Server processes (sessions) opened by connections with <paramref name="applicationName"/>, read from pg_stat_activity.</summary>
    public static async Task<int> BackendsAsync(PostgresServer server, string applicationName)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString(pooling: false));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @app", connection);
        command.Parameters.AddWithValue("app", applicationName);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
