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

    /// <summary>Probed once per test run, so a machine without grpcio fails every peer at once with one line instead of a 30 s wait each.</summary>
    private static readonly Lazy<bool> GrpcioInstalled = new(ProbeGrpcio);

    private const string MissingGrpcio = "python3-grpcio missing: run bash scripts/install-deps.sh";

    private readonly Process _process;
    private readonly ConcurrentDictionary<int, Channel<JsonElement>> _replies = new();
    private readonly Task _readLoop;
    private int _nextId;
    private volatile Exception? _exited;

    private PythonGrpcPeer(Process process)
    {
        _process = process;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public static async Task<PythonGrpcPeer> StartAsync(string target)
    {
        if (!GrpcioInstalled.Value)
        {
            throw new InvalidOperationException(MissingGrpcio);
        }

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

    private Channel<JsonElement> Replies(int id) => _replies.GetOrAdd(id, _ =>
    {
        var replies = Channel.CreateUnbounded<JsonElement>();
        if (_exited is { } exited)
        {
            replies.Writer.TryComplete(exited);
        }

        return replies;
    });

    private async Task ReadLoopAsync()
    {
        string? line;
        while ((line = await _process.StandardOutput.ReadLineAsync()) is not null)
        {
            var message = JsonDocument.Parse(line).RootElement.Clone();
            await Replies(message.GetProperty("id").GetInt32()).Writer.WriteAsync(message);
        }

        // The peer is gone (crashed, or disposed): whoever still waits on it fails now, not after its patience.
        _exited = new InvalidOperationException("The Python gRPC peer exited (its error, if any, is on the test's stderr).");
        foreach (var replies in _replies.Values)
        {
            replies.Writer.TryComplete(_exited);
        }
    }

    private static bool ProbeGrpcio()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { "-c", "import grpc, sys; print(grpc.__version__, sys.version.split()[0])" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var versions = probe.StandardOutput.ReadToEnd().Trim();
            probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            if (probe.ExitCode == 0)
            {
                // Printed once per run, so a failure report says which grpcio the specs talked to.
                Console.Error.WriteLine($"[MaintenanceActors.AspNetCore.Tests] /usr/bin/python3 grpcio {versions.Replace(" ", " on Python ")}");
            }
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No /usr/bin/python3 at all.
            return false;
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
