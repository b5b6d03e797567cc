// SqsService: consumes an SQS queue and drains it cleanly when its etcd key says maintenance.
//
//   SQS_QUEUE_URL    the queue (default http://127.0.0.1:9324/000000000000/sqs-service-queue); created if missing
//   AWS_ENDPOINT     SQS endpoint: an emulator (any key works) or an AWS address (default: none, the region's endpoint;
//                    credentials always from the AWS SDK's chain, except test/test for an emulator without AWS_ACCESS_KEY_ID)
//   AWS_REGION       region (default us-east-1)
//   ETCD_ENDPOINTS   etcd endpoints, comma-separated (default 127.0.0.1:2379)
//   MAINTENANCE_KEY  the key to watch (default /maintenance/sqs-service)
//   WORK_MIN_MS / WORK_MAX_MS  simulated work per message (default 1000 / 3000)
//   PORT             port to listen on (default 8082)
//   LISTEN_ADDRESS   address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
//
// A bad setting stops it with one line naming the variable and exit code 2.
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using MaintenanceActors;
using MaintenanceActors.AspNetCore;
using MaintenanceActors.Sqs;
using Samples;
using SqsService;

return SampleEnvironment.Run(() =>
{
var queueUrl = SampleEnvironment.Text("SQS_QUEUE_URL", "http://127.0.0.1:9324/000000000000/sqs-service-queue", "Maintenance:Sqs:QueueUrl");
var endpoint = SampleEnvironment.Text("AWS_ENDPOINT", "");
var region = SampleEnvironment.Text("AWS_REGION", "us-east-1");
var etcdEndpoints = SampleEnvironment.Text("ETCD_ENDPOINTS", "127.0.0.1:2379", "Maintenance:Etcd:Endpoints");
var maintenanceKey = SampleEnvironment.Text("MAINTENANCE_KEY", "/maintenance/sqs-service", "Maintenance:Etcd:Key");
var workMin = SampleEnvironment.Number("WORK_MIN_MS", 1000, 0, 600_000);
var workMax = SampleEnvironment.Number("WORK_MAX_MS", 3000, workMin, 600_000);
var port = SampleEnvironment.Port("PORT", 8082);
var listenAddress = SampleEnvironment.ListenAddress();
if (endpoint.Length > 0 && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
{
    throw new SampleConfigurationException($"AWS_ENDPOINT must be an absolute URL such as http://127.0.0.1:9324, not '{endpoint}'.");
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(listenAddress, port));
builder.Services.AddSingleton<IAmazonSQS>(_ => CreateClient(endpoint, region));
builder.Services.AddSingleton(new WorkRange(workMin, workMax));
builder.Services.AddMaintenance(m => m
    .UseEtcd(etcd =>
    {
        etcd.Endpoints = EtcdSourceOptions.SplitEndpoints(etcdEndpoints);
        etcd.Key = maintenanceKey;
    })
    .AddHttpDrain(http => http.DrainTimeout = TimeSpan.FromSeconds(30))
    .AddSqsPoller<SimulatedWork>(sqs =>
    {
        sqs.QueueUrl = queueUrl;
        sqs.Pollers = 2;
        sqs.BatchSize = 10;
        sqs.DrainTimeout = TimeSpan.FromSeconds(30);
    }));

var app = builder.Build();
app.UseMaintenance();
EnsureQueueAsync(app.Services.GetRequiredService<IAmazonSQS>(), queueUrl, app.Logger).GetAwaiter().GetResult();

// /health is never refused: maintenance state, SQS connectivity (the poller's health) and the last drain report.
app.MapGet("/health", async (IMaintenance maintenance, SqsPollerMonitor pollers, CancellationToken cancellationToken) =>
    Results.Json(new
    {
        maintenance = await MaintenanceHealthView.ReadAsync(maintenance, cancellationToken),
        sqs = new { queueUrl, problem = pollers.Get()?.QueueProblem, connected = pollers.Get()?.QueueProblem is null },
    }));

app.MapPost("/messages/send", async (HttpRequest request, IAmazonSQS sqs, CancellationToken cancellationToken) =>
{
    SendBody? body;
    try
    {
        body = await request.ReadFromJsonAsync<SendBody>(cancellationToken);
    }
    catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or BadHttpRequestException)
    {
        body = null;
    }
    if (body is not { Message: { Length: > 0 } text })
    {
        return Results.Problem(statusCode: 400, title: "Bad message", detail: "Send a JSON body such as {\"message\":\"hello\"}.");
    }
    var sent = await sqs.SendMessageAsync(queueUrl, text, cancellationToken);
    return Results.Ok(new { messageId = sent.MessageId });
});

app.MapGet("/messages/stats", (SqsPollerMonitor pollers) => pollers.Get() is { } s
    ? Results.Json(new
    {
        received = s.Received,
        processed = s.Processed,
        failed = s.Failed,
        released = s.Released,
        inFlight = s.InFlight,
        visibilityExtensions = s.VisibilityExtensions,
        lastMessageAt = s.LastMessageAt,
        lastErrors = s.LastErrors.Select(e => new { at = e.At, operation = e.Operation, message = e.Message }),
    })
    : Results.NotFound());

app.MapGet("/queue/info", async (IAmazonSQS sqs, CancellationToken cancellationToken) =>
{
    var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = ["All"] }, cancellationToken);
    return Results.Json(new
    {
        queueUrl,
        visible = attributes.ApproximateNumberOfMessages,
        notVisible = attributes.ApproximateNumberOfMessagesNotVisible,
        delayed = attributes.ApproximateNumberOfMessagesDelayed,
        attributes = attributes.Attributes,
    });
});

app.Run();
return 0;
});

static IAmazonSQS CreateClient(string endpoint, string region)
{
    if (endpoint.Length == 0)
    {
        // Real SQS: the region's endpoint (or AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL, which the SDK reads itself), the SDK's
        // credential chain (environment, profile, web identity, container, instance metadata) and its retry mode.
        return new AmazonSQSClient(Amazon.RegionEndpoint.GetBySystemName(region));
    }
    var config = new AmazonSQSConfig { ServiceURL = endpoint, AuthenticationRegion = region };
    // An explicit AWS address (e.g. https://sqs.eu-west-1.amazonaws.com or a VPC endpoint) also takes the SDK's chain.
    // Anything else is taken for an emulator, which accepts any key: the chain's key when AWS_ACCESS_KEY_ID is set, else test/test.
    return IsAws(new Uri(endpoint)) || Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 }
        ? new AmazonSQSClient(config)
        : new AmazonSQSClient(new BasicAWSCredentials("test", "test"), config);
}

static bool IsAws(Uri endpoint) =>
    endpoint.Host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase)
    || endpoint.Host.EndsWith(".amazonaws.com.cn", StringComparison.OrdinalIgnoreCase);

static async Task EnsureQueueAsync(IAmazonSQS sqs, string queueUrl, ILogger log)
{
    var name = new Uri(queueUrl).Segments[^1].TrimEnd('/');
    try
    {
        await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = ["QueueArn"] });
    }
    catch (QueueDoesNotExistException)
    {
        var created = await sqs.CreateQueueAsync(name);
        log.LogInformation("Created queue {QueueName} at {QueueUrl}", name, created.QueueUrl);
    }
    catch (Exception ex)
    {
        // The poller's health shows it too; the service still starts and recovers when SQS is reachable.
        log.LogWarning("Could not check queue {QueueUrl}: {Error}", queueUrl, ex.Message);
    }
}

internal sealed record SendBody(string? Message);
