using System.Collections.Concurrent;
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
    public async Task Must_serve_the_users_api_answer_only_2xx_or_clean_503s_while_toggling_and_hold_no_connection_when_drained()
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

        // 50 clients read and write while maintenance goes on and off twice.
        var unexpected = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 50).Select(client => Task.Run(async () =>
        {
            using var own = new HttpClient { BaseAddress = http.BaseAddress };
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var response = i % 2 == 0
                        ? await own.GetAsync("/users/" + id)
                        : await own.PostAsJsonAsync("/users", new { name = "load", email = $"c{client}-{i}@example.com" });
                    statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable
                        && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        unexpected.Add($"503 without problem+json: {await response.Content.ReadAsStringAsync()}");
                    }
                    else if ((int)response.StatusCode is not (200 or 201 or 503))
                    {
                        unexpected.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        await Task.Delay(5); // a client told to come back later does not spin
                    }
                }
                catch (HttpRequestException ex)
                {
                    unexpected.Add($"{ex.GetType().Name}: {ex.Message}");
                }
            }
        })).ToArray();

        for (var round = 0; round < 2; round++)
        {
            await etcd.EtcdCtlAsync("put", Key, """{"enabled":true,"reason":"pg upgrade"}""");
            (await PhaseAsync(http, "drained")).Should().BeTrue();
            (await Eventually.HoldsAsync(async () => await PostgresFixture.BackendsAsync(postgres.Server, app) == 0))
                .Should().BeTrue("once drained the service holds no connection to the database");
            await etcd.EtcdCtlAsync("del", Key);
            (await PhaseAsync(http, "serving")).Should().BeTrue();
            (await Eventually.HoldsAsync(() => statuses.GetValueOrDefault(HttpStatusCode.Created) > 0)).Should().BeTrue();
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        unexpected.Should().BeEmpty();
        statuses.Keys.Should().Contain([HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable]);
        (await http.GetAsync("/users")).StatusCode.Should().Be(HttpStatusCode.OK);
        var stats = await http.GetFromJsonAsync<JsonElement>("/stats");
        stats.EnumerateArray().Select(r => r.GetProperty("resource").GetString()).Should().Contain(["http", "db"]);
    }

    [Fact]
    public async Task Must_report_PostgreSQL_down_answer_503_problems_and_recover_without_a_restart()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var sample = await SampleProcess.StartAsync("EfCoreService",
            ("DATABASE_URL", $"postgres://postgres@127.0.0.1:{server.Port}/postgres?sslmode=disable"),
            ("ETCD_ENDPOINTS", $"127.0.0.1:{FreePort.Get()}"));
        var http = sample.Http;
        await WaitForSchemaAsync(http);

        await server.StopAsync();

        var problem = await ExpectProblemAsync(await http.GetAsync("/users"), HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("title").GetString().Should().Be("Database unavailable");
        (await Eventually.HoldsAsync(async () => (await http.GetStringAsync("/health")).Contains("database unreachable")))
            .Should().BeTrue("/health names the database's error");

        await server.StartAgainAsync();
        var back = Stopwatch.StartNew();
        (await Eventually.HoldsAsync(async () => (await http.GetAsync("/users")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(10)))
            .Should().BeTrue();
        back.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "the pool reconnects by itself");
        sample.Output.Should().NotContain("   at ", "no stack trace for a database outage");
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

    private static async Task<bool> PhaseAsync(HttpClient http, string phase) =>
        await Eventually.HoldsAsync(async () => (await http.GetFromJsonAsync<JsonElement>("/health")).GetProperty("status").GetString() == phase, Wait);

    private static async Task<JsonElement> ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
