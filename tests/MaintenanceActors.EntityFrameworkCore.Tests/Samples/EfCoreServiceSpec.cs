using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaintenanceActors.EntityFrameworkCore.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.EntityFrameworkCore.Tests.Samples;

/// <summary>samples/EfCoreService as a process against the fixture's PostgreSQL and a real etcd.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EfCoreServiceSpec(PostgresFixture postgres)
{
    private const string Key = "/maintenance/database-service";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static string LibpqUrl(PostgresServer server, string app) =>
        $"host=127.0.0.1 user=postgres dbname=postgres port={server.Port} sslmode=disable application_name={app}";

    [Fact]
    public async Task Must_serve_the_users_api_answer_only_2xx_or_clean_503s_to_50_clients_while_toggling_and_hold_no_connection_when_drained()
    {
        await using var etcd = await EtcdServer.StartAsync();
        const string app = "efcore-sample";
        await using var sample = await SampleProcess.StartAsync("EfCoreService",
            ("DATABASE_URL", LibpqUrl(postgres.Server, app)), ("ETCD_ENDPOINTS", etcd.Endpoint), ("MAINTENANCE_KEY", Key));
        var http = sample.Http;
        await WaitForSchemaAsync(http);

        var created = await http.PostAsJsonAsync("/users", new { name = "Ada", email = "ada@example.com" });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var user = await created.Content.ReadFromJsonAsync<JsonElement>();
        user.EnumerateObject().Select(p => p.Name).Should().Equal("id", "name", "email", "created_at", "updated_at");
        var id = user.GetProperty("id").GetInt64();
        await ExpectProblemAsync(await http.PostAsJsonAsync("/users", new { name = "Eve", email = "ada@example.com" }), HttpStatusCode.Conflict);
        await ExpectProblemAsync(await http.PostAsync("/users", new StringContent("{bad", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await ExpectProblemAsync(await http.PostAsJsonAsync("/users", new { name = "NoEmail" }), HttpStatusCode.BadRequest);
        await ExpectProblemAsync(await http.GetAsync("/users/999999"), HttpStatusCode.NotFound);
        (await http.PutAsJsonAsync($"/users/{id}", new { name = "Ada L.", email = "ada@example.com" })).StatusCode.Should().Be(HttpStatusCode.OK);

        await UsersApiChecks.FiftyClientsWhileTogglingAsync(http, etcd, Key, id, () => PostgresFixture.BackendsAsync(postgres.Server, app));
        (await http.GetAsync("/users")).StatusCode.Should().Be(HttpStatusCode.OK);
        var stats = await http.GetFromJsonAsync<JsonElement>("/stats");
        stats.EnumerateArray().Select(r => r.GetProperty("resource").GetString()).Should().Contain(["http", "db"]);
    }

    [Fact]
    public async Task Must_report_PostgreSQL_down_answer_503_problems_and_recover_without_a_restart_in_and_out_of_maintenance()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var etcd = await EtcdServer.StartAsync();
        await using var sample = await SampleProcess.StartAsync("EfCoreService",
            ("DATABASE_URL", $"postgres://postgres@127.0.0.1:{server.Port}/postgres?sslmode=disable"),
            ("ETCD_ENDPOINTS", etcd.Endpoint), ("MAINTENANCE_KEY", Key));
        await WaitForSchemaAsync(sample.Http);

        await UsersApiChecks.PostgresOutagesAsync(sample.Http, etcd, Key, server, () => sample.Output);
    }

    [Fact]
    public async Task Must_work_on_SQLite_with_no_database_server()
    {
        using var directory = new TempDirectory("ma-sqlite");
        await using var sample = await SampleProcess.StartAsync("EfCoreService",
            ("DATABASE_URL", $"sqlite:{directory.Combine("users.db")}"), ("ETCD_ENDPOINTS", $"127.0.0.1:{FreePort.Get()}"));
        await WaitForSchemaAsync(sample.Http);

        (await sample.Http.PostAsJsonAsync("/users", new { name = "Ada", email = "ada@example.com" })).StatusCode.Should().Be(HttpStatusCode.Created);
        await ExpectProblemAsync(await sample.Http.PostAsJsonAsync("/users", new { name = "Eve", email = "ada@example.com" }), HttpStatusCode.Conflict);
        (await sample.Http.GetFromJsonAsync<JsonElement>("/users")).GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task Must_stop_on_a_bad_DATABASE_URL_with_one_line_and_exit_code_2()
    {
        using var process = Process.Start(SampleProcess.StartInfo("EfCoreService", [("DATABASE_URL", "host=x colour=blue"), ("PORT", FreePort.Get().ToString())]))!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        process.ExitCode.Should().Be(2);
        (await stderr).Trim().Should().Be(
            "DATABASE_URL must be a postgres:// URL, a libpq 'host=… user=… dbname=…' string, an Npgsql connection string or sqlite:<file> ('colour' is not a supported setting)");
    }

    private static async Task WaitForSchemaAsync(HttpClient http) =>
        (await Eventually.HoldsAsync(async () => (await http.GetAsync("/users")).StatusCode == HttpStatusCode.OK, Wait)).Should().BeTrue("the schema is created on start");

    private static Task<JsonElement> ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status) =>
        UsersApiChecks.ExpectProblemAsync(response, status);
}
