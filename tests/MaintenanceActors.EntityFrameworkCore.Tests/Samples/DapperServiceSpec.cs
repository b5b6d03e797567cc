using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaintenanceActors.EntityFrameworkCore.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.EntityFrameworkCore.Tests.Samples;

/// <summary>samples/DapperService as a process against the fixture's PostgreSQL (or SQLite) and a real etcd.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DapperServiceSpec(PostgresFixture postgres)
{
    private const string Key = "/maintenance/dapper-service";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Must_create_its_database_serve_the_users_api_answer_50_clients_with_2xx_or_clean_503s_while_toggling_and_hold_no_connection_when_drained()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var sample = await SampleProcess.StartAsync("DapperService",
            ("DB_HOST", "127.0.0.1"), ("DB_PORT", postgres.Server.Port.ToString()), ("DB_NAME", "dapper_spec"),
            ("ETCD_ENDPOINTS", etcd.Endpoint), ("MAINTENANCE_KEY", Key));
        var http = sample.Http;
        (await Eventually.HoldsAsync(async () => (await http.GetAsync("/users")).StatusCode == HttpStatusCode.OK, Wait))
            .Should().BeTrue($"the database and schema are created on start: {sample.Output}");

        var id = await CrudAsync(http);

        await etcd.EtcdCtlAsync("put", Key, """{"enabled":true,"reason":"reindex"}""");
        (await UsersApiChecks.PhaseAsync(http, "drained")).Should().BeTrue();
        var refused = await UsersApiChecks.ExpectProblemAsync(await http.GetAsync("/users"), HttpStatusCode.ServiceUnavailable);
        refused.GetProperty("reason").GetString().Should().Be("reindex");
        (await Eventually.HoldsAsync(async () => await PostgresFixture.BackendsAsync(postgres.Server, "dapper-service") == 0))
            .Should().BeTrue("once drained the service holds no connection to the database");
        await etcd.EtcdCtlAsync("del", Key);
        (await UsersApiChecks.PhaseAsync(http, "serving")).Should().BeTrue();

        await UsersApiChecks.FiftyClientsWhileTogglingAsync(http, etcd, Key, id, () => PostgresFixture.BackendsAsync(postgres.Server, "dapper-service"));
        (await http.DeleteAsync($"/users/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await UsersApiChecks.ExpectProblemAsync(await http.GetAsync($"/users/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Must_report_PostgreSQL_down_answer_503_problems_and_recover_without_a_restart_in_and_out_of_maintenance()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var etcd = await EtcdServer.StartAsync();
        await using var sample = await SampleProcess.StartAsync("DapperService",
            ("DB_HOST", "127.0.0.1"), ("DB_PORT", server.Port.ToString()), ("DB_NAME", "dapper_outage"),
            ("ETCD_ENDPOINTS", etcd.Endpoint), ("MAINTENANCE_KEY", Key));
        (await Eventually.HoldsAsync(async () => (await sample.Http.GetAsync("/users")).StatusCode == HttpStatusCode.OK, Wait))
            .Should().BeTrue($"the database and schema are created on start: {sample.Output}");

        await UsersApiChecks.PostgresOutagesAsync(sample.Http, etcd, Key, server, () => sample.Output);
    }

    [Fact]
    public async Task Must_work_on_SQLite_with_no_database_server_and_refuse_in_maintenance()
    {
        using var directory = new TempDirectory("ma-dapper-sqlite");
        await using var etcd = await EtcdServer.StartAsync();
        await using var sample = await SampleProcess.StartAsync("DapperService",
            ("DATABASE_URL", $"sqlite:{directory.Combine("users.db")}"), ("DB_HOST", "no-such-host.invalid"),
            ("ETCD_ENDPOINTS", etcd.Endpoint), ("MAINTENANCE_KEY", Key));
        var http = sample.Http;
        (await Eventually.HoldsAsync(async () => (await http.GetAsync("/users")).StatusCode == HttpStatusCode.OK, Wait))
            .Should().BeTrue($"the schema is created on start: {sample.Output}");

        var id = await CrudAsync(http);
        await etcd.EtcdCtlAsync("put", Key, "true");
        (await UsersApiChecks.PhaseAsync(http, "drained")).Should().BeTrue();
        await UsersApiChecks.ExpectProblemAsync(await http.GetAsync("/users"), HttpStatusCode.ServiceUnavailable);
        await etcd.EtcdCtlAsync("del", Key);
        (await UsersApiChecks.PhaseAsync(http, "serving")).Should().BeTrue();
        (await http.GetFromJsonAsync<JsonElement>($"/users/{id}")).GetProperty("name").GetString().Should().Be("Ada L.");
        File.Exists(directory.Combine("users.db")).Should().BeTrue("the data lives in the SQLite file DATABASE_URL names");
    }

    /// <summary>The users API's contract on either database; returns the id of a user left in place.</summary>
    private static async Task<long> CrudAsync(HttpClient http)
    {
        var created = await http.PostAsJsonAsync("/users", new { name = "Ada", email = "ada@example.com" });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var user = await created.Content.ReadFromJsonAsync<JsonElement>();
        user.EnumerateObject().Select(p => p.Name).Should().Equal("id", "name", "email", "created_at", "updated_at");
        user.GetProperty("created_at").GetDateTime().Kind.Should().Be(DateTimeKind.Utc);
        var id = user.GetProperty("id").GetInt64();
        await UsersApiChecks.ExpectProblemAsync(await http.PostAsJsonAsync("/users", new { name = "Eve", email = "ada@example.com" }), HttpStatusCode.Conflict);
        await UsersApiChecks.ExpectProblemAsync(await http.PostAsync("/users", new StringContent("{bad", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await UsersApiChecks.ExpectProblemAsync(await http.PostAsJsonAsync("/users", new { name = "NoEmail" }), HttpStatusCode.BadRequest);
        (await http.PutAsJsonAsync($"/users/{id}", new { name = "Ada L.", email = "ada@example.com" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.GetFromJsonAsync<JsonElement>($"/users/{id}")).GetProperty("name").GetString().Should().Be("Ada L.");
        await UsersApiChecks.ExpectProblemAsync(await http.GetAsync("/users/999999"), HttpStatusCode.NotFound);
        return id;
    }
}
