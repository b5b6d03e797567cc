using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaintenanceActors.Kafka.Testing;
using MaintenanceActors.Kafka.Tests.Fixtures;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Kafka.Tests;

/// <summary>samples/KafkaService as a user starts it: against a mock cluster hosted by this test process and a real etcd, and with bad settings.</summary>
[Collection(KafkaMockCollection.Name)]
public sealed class KafkaServiceSampleSpec(KafkaMockFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly KafkaMockCluster _kafka = fixture.Cluster;

    [Theory]
    [InlineData("WORK_MAX_MS", "x", "WORK_MAX_MS must be a whole number from 100 to 600000 (default 500), not 'x'.")]
    [InlineData("KAFKA_BOOTSTRAP_SERVERS", "localhost", "KAFKA_BOOTSTRAP_SERVERS: must list host:port pairs separated by commas (e.g. localhost:9092), but was 'localhost'")]
    [InlineData("PORT", "x", "PORT must be a TCP port number from 1 to 65535 (default 8083), not 'x'.")]
    public async Task Must_stop_on_a_bad_setting_with_one_line_naming_the_variable_and_exit_code_2(string variable, string value, string line)
    {
        using var process = Start((variable, value));
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Wait);
        process.ExitCode.Should().Be(2);
        (await stderr).Trim().Should().Be(line, "one line, no stack trace");
    }

    [Fact]
    public async Task Must_consume_what_it_produces_pause_its_partitions_in_maintenance_and_answer_503_but_health()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var topic = _kafka.CreateTopic(4, "orders");
        var port = FreePort.Get();
        using var process = Start(
            ("PORT", port.ToString()), ("KAFKA_BOOTSTRAP_SERVERS", _kafka.BootstrapServers), ("KAFKA_TOPIC", topic),
            ("KAFKA_GROUP_ID", _kafka.NewGroup("sample")), ("ETCD_ENDPOINTS", etcd.Endpoint), ("WORK_MIN_MS", "1"), ("WORK_MAX_MS", "5"));
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await UntilAsync(async () => await TryGetAsync(http, "/health") == HttpStatusCode.OK);
            await UntilAsync(async () => (await Json(http, "/health")).GetProperty("kafka").GetProperty("assigned").GetArrayLength() == 4);

            var sent = await http.PostAsJsonAsync("/messages/send", new { message = "hello" });
            sent.StatusCode.Should().Be(HttpStatusCode.Accepted);
            var delivery = await sent.Content.ReadFromJsonAsync<JsonElement>();
            delivery.GetProperty("partition").GetInt32().Should().BeInRange(0, 3);
            delivery.GetProperty("offset").GetInt64().Should().Be(0);
            var batch = await http.PostAsJsonAsync("/messages/send-batch", new { count = 99 });
            batch.StatusCode.Should().Be(HttpStatusCode.Accepted);
            (await http.PostAsJsonAsync("/messages/send", new { text = "no message field" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await http.PostAsJsonAsync("/messages/send-batch", new { count = 0 })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            await UntilAsync(async () => (await Json(http, "/stats")).GetProperty("processed").GetInt64() == 100);

            await etcd.EtcdCtlAsync("put", "/maintenance/kafka-service", """{"enabled":true,"reason":"upgrade"}""");
            await UntilAsync(async () => (await Json(http, "/health")).GetProperty("maintenance").GetProperty("status").GetString() == "drained");
            var health = await Json(http, "/health");
            health.GetProperty("kafka").GetProperty("paused").GetArrayLength().Should().Be(4, "every partition is paused in maintenance");
            health.GetProperty("kafka").GetProperty("inGroup").GetBoolean().Should().BeTrue("the consumer stays in its group");
            health.GetProperty("maintenance").GetProperty("lastTransition").GetProperty("drains").EnumerateArray()
                .Select(d => d.GetProperty("resource").GetString()).Should().Contain("kafka");
            var refused = await http.GetAsync("/stats");
            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await http.PostAsJsonAsync("/messages/send", new { message = "refused" })).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);

            _kafka.Produce(topic, 20, "while-paused");
            await etcd.EtcdCtlAsync("del", "/maintenance/kafka-service");
            await UntilAsync(async () => await TryGetAsync(http, "/stats") == HttpStatusCode.OK);
            await UntilAsync(async () => (await Json(http, "/stats")).GetProperty("processed").GetInt64() == 120);
            var stats = await Json(http, "/stats");
            stats.GetProperty("pausedPartitions").GetArrayLength().Should().Be(0);
            stats.GetProperty("failed").GetInt64().Should().Be(0);
            stats.GetProperty("lastErrors").ValueKind.Should().Be(JsonValueKind.Array);
            await UntilAsync(async () => (await Json(http, "/stats")).GetProperty("lag").EnumerateObject().Sum(p => p.Value.GetInt64()) == 0);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static Process Start(params (string Name, string Value)[] environment) => SampleBinaries.Start("KafkaService", environment);

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            return (await http.GetAsync(path)).StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task<JsonElement> Json(HttpClient http, string path) => await http.GetFromJsonAsync<JsonElement>(path);

    private static async Task UntilAsync(Func<Task<bool>> condition) =>
        (await Eventually.HoldsAsync(condition, Wait)).Should().BeTrue("the condition should hold within {0}", Wait);
}
