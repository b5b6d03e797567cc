// KafkaService: consumes a Kafka topic in a consumer group and, when its etcd key says maintenance, pauses its partitions
// (staying in the group), finishes the records in progress and commits exactly what it processed.
//
//   KAFKA_BOOTSTRAP_SERVERS  brokers, comma-separated host:port (default localhost:9092)
//   KAFKA_TOPIC              the topic to consume and produce to (default orders); created with 4 partitions if missing
//   KAFKA_GROUP_ID           the consumer group (default kafka-service)
//   ETCD_ENDPOINTS           etcd endpoints, comma-separated (default 127.0.0.1:2379)
//   MAINTENANCE_KEY          the key to watch (default /maintenance/kafka-service)
//   WORK_MIN_MS / WORK_MAX_MS  simulated work per record (default 100 / 500)
//   PORT                     port to listen on (default 8083)
//   LISTEN_ADDRESS           address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
//
// A bad setting stops it with one line naming the variable and exit code 2.
using Confluent.Kafka;
using KafkaService;
using MaintenanceActors;
using MaintenanceActors.AspNetCore;
using MaintenanceActors.Kafka;
using Samples;

return SampleEnvironment.Run(() =>
{
var bootstrap = SampleEnvironment.Text("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092", "Maintenance:Kafka:BootstrapServers");
var topic = SampleEnvironment.Text("KAFKA_TOPIC", "orders", "Maintenance:Kafka:Topics");
var groupId = SampleEnvironment.Text("KAFKA_GROUP_ID", "kafka-service", "Maintenance:Kafka:GroupId");
var etcdEndpoints = SampleEnvironment.Text("ETCD_ENDPOINTS", "127.0.0.1:2379", "Maintenance:Etcd:Endpoints");
var maintenanceKey = SampleEnvironment.Text("MAINTENANCE_KEY", "/maintenance/kafka-service", "Maintenance:Etcd:Key");
var workMin = SampleEnvironment.Number("WORK_MIN_MS", 100, 0, 600_000);
var workMax = SampleEnvironment.Number("WORK_MAX_MS", 500, workMin, 600_000);
var port = SampleEnvironment.Port("PORT", 8083);
var listenAddress = SampleEnvironment.ListenAddress();

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(listenAddress, port));
builder.Services.AddSingleton(new WorkRange(workMin, workMax));
builder.Services.AddSingleton(_ => new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build());
builder.Services.AddMaintenance(m => m
    .UseEtcd(etcd =>
    {
        etcd.Endpoints = EtcdSourceOptions.SplitEndpoints(etcdEndpoints);
        etcd.Key = maintenanceKey;
    })
    .AddHttpDrain(http => http.DrainTimeout = TimeSpan.FromSeconds(30))
    .AddKafkaConsumer<SimulatedWork>(kafka =>
    {
        kafka.BootstrapServers = bootstrap;
        kafka.Topics = [topic];
        kafka.GroupId = groupId;
        kafka.MaxConcurrency = 4;
        kafka.DrainTimeout = TimeSpan.FromSeconds(30);
    }));

var app = builder.Build();
app.UseMaintenance();
TopicSetup.Ensure(bootstrap, topic, app.Logger);

// /health is never refused: maintenance state, the consumer's health (broker reachable, in its group) and the last drain report.
app.MapGet("/health", async (IMaintenance maintenance, KafkaConsumerMonitor consumers, CancellationToken cancellationToken) =>
{
    var stats = consumers.Get();
    return Results.Json(new
    {
        maintenance = await MaintenanceHealthView.ReadAsync(maintenance, cancellationToken),
        kafka = new
        {
            bootstrapServers = bootstrap,
            topic,
            groupId,
            healthy = stats?.Problem is null,
            problem = stats?.Problem,
            inGroup = stats?.InGroup,
            assigned = stats?.Assigned,
            paused = stats?.Paused,
        },
    });
});

app.MapGet("/stats", (KafkaConsumerMonitor consumers) => consumers.Get() is { } s
    ? Results.Json(new
    {
        received = s.Received,
        processed = s.Processed,
        failed = s.Failed,
        inFlight = s.InFlight,
        buffered = s.Buffered,
        pausedPartitions = s.Paused,
        assignedPartitions = s.Assigned,
        lag = s.Lag,
        committed = s.Committed,
        lastCommitAt = s.LastCommitAt,
        rebalances = s.Rebalances,
        lastErrors = s.LastErrors.Select(e => new { at = e.At, operation = e.Operation, message = e.Message }),
    })
    : Results.NotFound());

app.MapPost("/messages/send", async (HttpRequest request, IProducer<string?, string> producer, CancellationToken cancellationToken) =>
{
    var body = await JsonBody.ReadAsync<SendBody>(request, cancellationToken);
    if (body is not { Message: { Length: > 0 } text })
    {
        return Results.Problem(statusCode: 400, title: "Bad message", detail: "Send a JSON body such as {\"message\":\"hello\"}.");
    }
    var delivered = await producer.ProduceAsync(topic, new Message<string?, string> { Key = Guid.NewGuid().ToString("N"), Value = text }, cancellationToken);
    return Results.Json(new { topic, partition = delivered.Partition.Value, offset = delivered.Offset.Value }, statusCode: StatusCodes.Status202Accepted);
});

app.MapPost("/messages/send-batch", async (HttpRequest request, IProducer<string?, string> producer, CancellationToken cancellationToken) =>
{
    var body = await JsonBody.ReadAsync<BatchBody>(request, cancellationToken);
    if (body is not { Count: >= 1 and <= 100_000 } batch)
    {
        return Results.Problem(statusCode: 400, title: "Bad batch", detail: "Send a JSON body such as {\"count\":100} (1 to 100000).");
    }
    var perPartition = await Batch.ProduceAsync(producer, topic, batch.Count, cancellationToken);
    return Results.Json(new { topic, count = batch.Count, partitions = perPartition }, statusCode: StatusCodes.Status202Accepted);
});

app.Run();
return 0;
});

internal sealed record SendBody(string? Message);

internal sealed record BatchBody(int Count);
