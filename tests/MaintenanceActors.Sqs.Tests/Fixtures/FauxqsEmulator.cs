using System.Reflection;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Sqs.Tests.Fixtures;

/// <summary>
/// The fauxqs SQS emulator (<see cref="FauxqsServer"/>) started once for the test collection, with a client and queue helpers.
/// It refuses access keys other than <see cref="FauxqsServer.RequiredAccessKeyId"/> with 403 InvalidClientTokenId.
/// </summary>
public sealed class FauxqsEmulator : IAsyncLifetime
{
    private FauxqsServer? _server;
    private int _queues;

    public string Url => _server?.Url ?? throw new InvalidOperationException("The emulator did not start");

    /// <summary>A client for the emulator (the access key it accepts, us-east-1).</summary>
    public IAmazonSQS Client { get; private set; } = null!;

    /// <summary>Where the emulator is installed (for a spec that starts one of its own).</summary>
    public static string Directory => typeof(FauxqsEmulator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "EmulatorDirectory").Value!;

    public async Task InitializeAsync()
    {
        _server = await FauxqsServer.StartAsync(Directory);
        Client = CreateClient(Url);
    }

    /// <summary>A client for the emulator reached at <paramref name="serviceUrl"/> (e.g. through a proxy), without SDK retries.</summary>
    public IAmazonSQS CreateClient(string serviceUrl, AWSCredentials? credentials = null) =>
        new AmazonSQSClient(credentials ?? new BasicAWSCredentials(FauxqsServer.RequiredAccessKeyId, "test"),
            new AmazonSQSConfig { ServiceURL = serviceUrl, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    /// <summary>Creates a queue with a name no other spec uses.</summary>
    public async Task<string> CreateQueueAsync(TimeSpan visibilityTimeout)
    {
        var name = $"q{Interlocked.Increment(ref _queues)}-{Guid.NewGuid():N}";
        var response = await Client.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = name,
            Attributes = new() { ["VisibilityTimeout"] = ((int)visibilityTimeout.TotalSeconds).ToString() },
        });
        return response.QueueUrl;
    }

    /// <summary>Visible and in-flight (not visible) message counts.</summary>
    public async Task<(int Visible, int NotVisible)> CountAsync(string queueUrl)
    {
        var attributes = await Client.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = queueUrl,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return (attributes.ApproximateNumberOfMessages, attributes.ApproximateNumberOfMessagesNotVisible);
    }

    public async Task SendAsync(string queueUrl, IEnumerable<string> bodies)
    {
        foreach (var chunk in bodies.Chunk(10))
        {
            var response = await Client.SendMessageBatchAsync(queueUrl,
                chunk.Select((body, i) => new SendMessageBatchRequestEntry(i.ToString(), body)).ToList());
            (response.Failed?.Count ?? 0).Should().Be(0);
        }
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FauxqsCollection : ICollectionFixture<FauxqsEmulator>
{
    public const string Name = "fauxqs";
}
