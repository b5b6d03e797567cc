using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaintenanceActors.Sqs.Tests.Fixtures;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Sqs.Tests;

/// <summary>samples/SqsService as a user starts it: against the emulator and a real etcd, and with bad settings.</summary>
[Collection(FauxqsCollection.Name)]
public sealed class SqsServiceSampleSpec(FauxqsEmulator sqs)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("WORK_MIN_MS", "x", "WORK_MIN_MS must be a whole number from 0 to 600000 (default 1000), not 'x'.")]
    [InlineData("SQS_QUEUE_URL", "orders", "SQS_QUEUE_URL: must be an absolute http(s) queue URL (e.g. https://sqs.us-east-1.amazonaws.com/123456789012/orders), but was 'orders'")]
    [InlineData("AWS_ENDPOINT", "localhost", "AWS_ENDPOINT must be an absolute URL such as http://127.0.0.1:9324, not 'localhost'.")]
    [InlineData("PORT", "x", "PORT must be a TCP port number from 1 to 65535 (default 8082), not 'x'.")]
    public async Task Must_stop_on_a_bad_setting_with_one_line_naming_the_variable_and_exit_code_2(string variable, string value, string line)
    {
        using var process = Start((variable, value));
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Wait);
        process.ExitCode.Should().Be(2);
        (await stderr).Trim().Should().Be(line, "one line, no stack trace");
    }

    [Fact]
    public async Task Must_create_its_queue_process_messages_and_answer_503_but_health_in_maintenance()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var port = FreePort.Get();
        var queueName = $"sample-{Guid.NewGuid():N}";
        var queueUrl = $"{sqs.Url}/000000000000/{queueName}";
        using var process = Start(
            ("PORT", port.ToString()), ("SQS_QUEUE_URL", queueUrl), ("AWS_ENDPOINT", sqs.Url), ("ETCD_ENDPOINTS", etcd.Endpoint),
            ("WORK_MIN_MS", "10"), ("WORK_MAX_MS", "50"));
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await UntilAsync(async () => await TryGetAsync(http, "/health") == HttpStatusCode.OK);

            for (var i = 0; i < 3; i++)
            {
                var sent = await http.PostAsJsonAsync("/messages/send", new { message = $"m{i}" });
                sent.StatusCode.Should().Be(HttpStatusCode.OK);
                (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString().Should().NotBeNullOrEmpty();
            }
            (await http.PostAsJsonAsync("/messages/send", new { text = "no message field" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            await UntilAsync(async () => (await Json(http, "/messages/stats")).GetProperty("processed").GetInt64() == 3);
            var info = await Json(http, "/queue/info");
            (info.GetProperty("visible").GetInt32(), info.GetProperty("notVisible").GetInt32()).Should().Be((0, 0));

            await etcd.EtcdCtlAsync("put", "/maintenance/sqs-service", """{"enabled":true,"reason":"upgrade"}""");
            await UntilAsync(async () => (await Json(http, "/health")).GetProperty("maintenance").GetProperty("status").GetString() == "drained");
            var refused = await http.GetAsync("/messages/stats");
            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

            await etcd.EtcdCtlAsync("del", "/maintenance/sqs-service");
            await UntilAsync(async () => await TryGetAsync(http, "/messages/stats") == HttpStatusCode.OK);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Must_use_the_SDKs_endpoint_resolution_and_credential_chain_when_AWS_ENDPOINT_is_unset()
    {
        // No AWS_ENDPOINT: the client is the SDK's plain one for AWS_REGION. AWS_ENDPOINT_URL_SQS is the SDK's own setting
        // (it would name a VPC endpoint in real life); here it lets that plain client reach the emulator, which refuses keys
        // other than its own, so a key taken from the environment by the SDK's chain is seen to be used.
        var queueUrl = $"{sqs.Url}/000000000000/sample-{Guid.NewGuid():N}";
        (string, string)[] common =
        [
            ("SQS_QUEUE_URL", queueUrl), ("AWS_ENDPOINT_URL_SQS", sqs.Url), ("AWS_REGION", "eu-west-1"), ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("ETCD_ENDPOINTS", $"127.0.0.1:{FreePort.Get()}"), ("WORK_MIN_MS", "0"), ("WORK_MAX_MS", "10"),
        ];

        await using (var refused = await RunningSample.StartAsync([.. common, ("AWS_ACCESS_KEY_ID", "not-the-emulators-key")]))
        {
            await UntilAsync(async () => (await Json(refused.Http, "/health")).GetProperty("sqs").GetProperty("connected").GetBoolean() == false);
            (await Json(refused.Http, "/health")).GetProperty("sqs").GetProperty("problem").GetString()
                .Should().StartWith($"SQS rejected the credentials for {queueUrl}: InvalidClientTokenId");
        }

        await using var accepted = await RunningSample.StartAsync([.. common, ("AWS_ACCESS_KEY_ID", FauxqsServer.RequiredAccessKeyId)]);
        (await accepted.Http.PostAsJsonAsync("/messages/send", new { message = "through the chain" })).StatusCode.Should().Be(HttpStatusCode.OK);
        await UntilAsync(async () => (await Json(accepted.Http, "/messages/stats")).GetProperty("processed").GetInt64() == 1);
        (await Json(accepted.Http, "/health")).GetProperty("sqs").GetProperty("connected").GetBoolean().Should().BeTrue();
    }

    /// <summary>The sample running on a free port; killed on dispose.</summary>
    private sealed class RunningSample : IAsyncDisposable
    {
        private readonly Process _process;

        private RunningSample(Process process, HttpClient http)
        {
            _process = process;
            Http = http;
        }

        public HttpClient Http { get; }

        public static async Task<RunningSample> StartAsync((string Name, string Value)[] environment)
        {
            var port = FreePort.Get();
            var process = Start([.. environment, ("PORT", port.ToString())]);
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var sample = new RunningSample(process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });
            try
            {
                await UntilAsync(async () => await TryGetAsync(sample.Http, "/health") == HttpStatusCode.OK);
            }
            catch
            {
                await sample.DisposeAsync();
                throw;
            }
            return sample;
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }

    private static Process Start(params (string Name, string Value)[] environment) => SampleBinaries.Start("SqsService", environment);

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

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (!await condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}
