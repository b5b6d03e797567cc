using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaintenanceActors.EntityFrameworkCore.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.EntityFrameworkCore.Tests.Samples;

/// <summary>samples/DapperService as a process against the fixture's PostgreSQL and a real etcd.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DapperServiceSpec(PostgresFixture postgres)
{
    private const string Key = "/maintenance/dapper-service";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Must_create_its_database_serve_the_users_api_and_hold_no_connection_when_drained()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var sample = await SampleProcess.StartAsync("DapperService",
            ("DB_HOST", "127.0.0.1"), ("DB_PORT", postgres.Server.Port.ToString()), ("DB_NAME", "dapper_spec"),
            ("ETCD_ENDPOINTS", etcd.Endpoint), ("MAINTENANCE_KEY", Key));
        var http = sample.Http;
        (await Eventually.HoldsAsync(async () => (await http.GetAsync("/users")).StatusCode == HttpStatusCode.OK, Wait))
            .Should().BeTrue($"the database and schema are created on start: {sample.Output}");

        var created = await http.PostAsJsonAsync("/users", new { name = "Ada", email = "ada@example.com" });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var user = await created.Content.ReadFromJsonAsync<JsonElement>();
        user.EnumerateObject().Select(p => p.Name).Should().Equal("id", "name", "email", "created_at", "updated_at");
        var id = user.GetProperty("id").GetInt64();
        (await http.PostAsJsonAsync("/users", new { name = "Eve", email = "ada@example.com" })).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await http.PostAsync("/users", new StringContent("{bad"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await http.PutAsJsonAsync($"/users/{id}", new { name = "Ada L.", email = "ada@example.com" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.GetFromJsonAsync<JsonElement>($"/users/{id}")).GetProperty("name").GetString().Should().Be("Ada L.");

        await etcd.EtcdCtlAsync("put", Key, """{"enabled":true,"reason":"reindex"}""");
        (await PhaseAsync(http, "drained")).Should().BeTrue();
        var refused = await http.GetAsync("/users");
        refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await Eventually.HoldsAsync(async () => await PostgresFixture.BackendsAsync(postgres.Server, "dapper-service") == 0))
            .Should().BeTrue("once drained the service holds no connection to the database");

        await etcd.EtcdCtlAsync("del", Key);
        (await PhaseAsync(http, "serving")).Should().BeTrue();
        (await http.DeleteAsync($"/users/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await http.GetAsync($"/users/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static async Task<bool> PhaseAsync(HttpClient http, string phase) =>
        await Eventually.HoldsAsync(async () => (await http.GetFromJsonAsync<JsonElement>("/health")).GetProperty("status").GetString() == phase, Wait);
}
