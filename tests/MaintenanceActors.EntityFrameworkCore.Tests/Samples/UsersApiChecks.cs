using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaintenanceActors.EntityFrameworkCore.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.EntityFrameworkCore.Tests.Samples;

/// <summary>What both users-API samples must do, checked the same way on each: load while toggling, and PostgreSQL outages.</summary>
internal static class UsersApiChecks
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long recovery may take here. The bound is 5 s, which the samples meet by design (a failed open is
    /// retried on the next request; health is re-checked every 2 s); the specs wait longer so that a loaded CI machine
    /// cannot fail them: they check that the service recovers without a restart, not how fast (no timing assertions).
    /// </summary>
    private static readonly TimeSpan Recovery = Wait;

    /// <summary>
    /// 50 clients read and write while maintenance goes on and off twice: every answer is 2xx or a 503 problem+json, and
    /// once drained the service holds no session (<paramref name="sessions"/> reads pg_stat_activity).
    /// </summary>
    public static async Task FiftyClientsWhileTogglingAsync(HttpClient http, EtcdServer etcd, string key, long existingId, Func<Task<int>> sessions)
    {
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
                        ? await own.GetAsync("/users/" + existingId)
                        : await own.PostAsJsonAsync("/users", new { name = "load", email = $"c{client}-{i}-{Guid.NewGuid():N}@example.com" });
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
            await etcd.EtcdCtlAsync("put", key, """{"enabled":true,"reason":"pg upgrade"}""");
            (await PhaseAsync(http, "drained")).Should().BeTrue();
            (await Eventually.HoldsAsync(async () => await sessions() == 0)).Should().BeTrue("once drained the service holds no connection to the database");
            await etcd.EtcdCtlAsync("del", key);
            (await PhaseAsync(http, "serving")).Should().BeTrue();
            var created = statuses.GetValueOrDefault(HttpStatusCode.Created);
            (await Eventually.HoldsAsync(() => statuses.GetValueOrDefault(HttpStatusCode.Created) > created)).Should().BeTrue("writes succeed again after Exit");
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        unexpected.Should().BeEmpty();
        statuses.Keys.Should().Contain([HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable]);
    }

    /// <summary>
    /// PostgreSQL stopped and started again outside maintenance, inside it, and across an Exit: /health names the error
    /// while it is down (outside maintenance), user operations answer 503 problem+json (never a 500), and within 5 s of
    /// PostgreSQL coming back the service works again without a restart.
    /// </summary>
    public static async Task PostgresOutagesAsync(HttpClient http, EtcdServer etcd, string key, PostgresServer server, Func<string> output)
    {
        (await http.PostAsJsonAsync("/users", new { name = "Before", email = "before@example.com" })).StatusCode.Should().Be(HttpStatusCode.Created);

        // Out of maintenance.
        await server.StopAsync();
        (await ExpectProblemAsync(await http.GetAsync("/users"), HttpStatusCode.ServiceUnavailable)).GetProperty("title").GetString().Should().Be("Database unavailable");
        (await ExpectProblemAsync(await http.PostAsJsonAsync("/users", new { name = "Down", email = "down@example.com" }), HttpStatusCode.ServiceUnavailable))
            .GetProperty("title").GetString().Should().Be("Database unavailable");
        (await Eventually.HoldsAsync(async () => DatabaseDetail(await Health(http)).StartsWith("database unreachable: ", StringComparison.Ordinal)))
            .Should().BeTrue("/health names the database's error");
        await server.StartAgainAsync();
        await RecoversAsync(http, "outside maintenance");

        // Stopped and restarted while in maintenance.
        await etcd.EtcdCtlAsync("put", key, """{"enabled":true,"reason":"pg restart"}""");
        (await PhaseAsync(http, "drained")).Should().BeTrue();
        await server.StopAsync();
        (await ExpectProblemAsync(await http.GetAsync("/users"), HttpStatusCode.ServiceUnavailable)).GetProperty("title").GetString().Should().Be("Service in maintenance");
        DatabaseDetail(await Health(http)).Should().StartWith("in maintenance", "in maintenance the drain opens nothing: it reports the last result");
        await server.StartAgainAsync();
        await etcd.EtcdCtlAsync("del", key);
        (await PhaseAsync(http, "serving")).Should().BeTrue();
        await RecoversAsync(http, "after a restart during maintenance");

        // Stopped in maintenance, still down when maintenance ends.
        await etcd.EtcdCtlAsync("put", key, """{"enabled":true,"reason":"pg upgrade"}""");
        (await PhaseAsync(http, "drained")).Should().BeTrue();
        await server.StopAsync();
        await etcd.EtcdCtlAsync("del", key);
        (await PhaseAsync(http, "serving")).Should().BeTrue();
        (await ExpectProblemAsync(await http.GetAsync("/users"), HttpStatusCode.ServiceUnavailable)).GetProperty("title").GetString().Should().Be("Database unavailable");
        (await Eventually.HoldsAsync(async () => DatabaseDetail(await Health(http)).StartsWith("database unreachable: ", StringComparison.Ordinal)))
            .Should().BeTrue("/health names the error once the service is out of maintenance");
        await server.StartAgainAsync();
        await RecoversAsync(http, "when PostgreSQL comes back after the Exit");

        output().Should().NotContain("   at ", "no stack trace for a database outage");
    }

    public static async Task<JsonElement> ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<bool> PhaseAsync(HttpClient http, string phase) =>
        await Eventually.HoldsAsync(async () => (await Health(http)).GetProperty("status").GetString() == phase, Wait);

    private static async Task RecoversAsync(HttpClient http, string when)
    {
        var back = Stopwatch.StartNew();
        var email = $"{Guid.NewGuid():N}@example.com";
        (await Eventually.HoldsAsync(async () => (await http.PostAsJsonAsync("/users", new { name = "Back", email })).StatusCode == HttpStatusCode.Created, Recovery))
            .Should().BeTrue($"writes work again without a restart once PostgreSQL is back ({when})");
        (await http.GetAsync("/users")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Eventually.HoldsAsync(async () => DatabaseDetail(await Health(http)).StartsWith("round trip", StringComparison.Ordinal), Recovery - back.Elapsed))
            .Should().BeTrue($"/health reports the database healthy again ({when})");
    }

    private static async Task<JsonElement> Health(HttpClient http) => await http.GetFromJsonAsync<JsonElement>("/health");

    private static string DatabaseDetail(JsonElement health) =>
        health.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "db").GetProperty("detail").GetString() ?? "";
}
