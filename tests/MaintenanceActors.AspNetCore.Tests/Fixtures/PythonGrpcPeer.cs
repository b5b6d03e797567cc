using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace MaintenanceActors.AspNetCore.Tests.Fixtures;

/// <summary>Debian's grpcio (/usr/bin/python3) as a real gRPC client, driven by JSON lines (see grpc_peer.py).</summary>
internal sealed class PythonGrpcPeer : IAsyncDisposable
{
    private static readonly Lazy<string> HealthModule = new(GenerateHealthModule);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ConcurrentDictionary<int, Channel<JsonElement>> _replies = new();
    private readonly Task _readLoop;
    private int _nextId;

    private PythonGrpcPeer(Process process)
    {
        _process = process;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public static async Task<PythonGrpcPeer> StartAsync(string target)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "grpc_peer.py");
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { "-u", script, target, HealthModule.Value },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        var peer = new PythonGrpcPeer(Process.Start(start)!);
        await peer.Replies(0).Reader.ReadAsync().AsTask().WaitAsync(Patience);
        return peer;
    }

    /// <summary>Sends a command and returns its first answer.</summary>
    public async Task<JsonElement> CallAsync(string op, object? fields = null)
    {
        var (id, replies) = await SendAsync(op, fields);
        var reply = await replies.ReadAsync().AsTask().WaitAsync(Patience);
        _replies.TryRemove(id, out _);
        return reply;
    }

    /// <summary>Starts a streaming command (watch, stream); its events arrive on the returned reader.</summary>
    public async Task<(int Id, ChannelReader<JsonElement> Events)> OpenStreamAsync(string op, object? fields = null) => await SendAsync(op, fields);

    public static async Task<JsonElement> NextAsync(ChannelReader<JsonElement> events) =>
        await events.ReadAsync().AsTask().WaitAsync(Patience);

    private async Task<(int, ChannelReader<JsonElement>)> SendAsync(string op, object? fields)
    {
        int id = Interlocked.Increment(ref _nextId);
        var replies = Replies(id);
        var command = JsonSerializer.SerializeToElement(fields ?? new { }).EnumerateObject()
            .ToDictionary(p => p.Name, p => (object)p.Value);
        command["id"] = id;
        command["op"] = op;
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
        return (id, replies);
    }

    private Channel<JsonElement> Replies(int id) => _replies.GetOrAdd(id, _ => Channel.CreateUnbounded<JsonElement>());

    private async Task ReadLoopAsync()
    {
        string? line;
        while ((line = await _process.StandardOutput.ReadLineAsync()) is not null)
        {
            var message = JsonDocument.Parse(line).RootElement.Clone();
            await Replies(message.GetProperty("id").GetInt32()).Writer.WriteAsync(message);
        }
    }

    private static string GenerateHealthModule()
    {
        var dir = Directory.CreateTempSubdirectory("health-pb2-").FullName;
        var protoc = Process.Start(new ProcessStartInfo("protoc")
        {
            ArgumentList = { "-I/usr/share/grpc-proto", $"--python_out={dir}", "grpc/health/v1/health.proto" },
            UseShellExecute = false,
        })!;
        protoc.WaitForExit();
        if (protoc.ExitCode != 0)
        {
            throw new InvalidOperationException("protoc could not compile /usr/share/grpc-proto/grpc/health/v1/health.proto (install protobuf-compiler and grpc-proto).");
        }

        return Path.Combine(dir, "grpc", "health", "v1", "health_pb2.py");
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            _process.Kill(entireProcessTree: true);
        }

        await _readLoop.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _process.Dispose();
    }
}
