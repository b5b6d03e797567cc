using System.Diagnostics;

namespace MaintenanceActors.Etcd.Tests.Grpc;

/// <summary>A grpcio server (Debian's python3-grpcio) on a free port: a real, independent gRPC peer for the call layer.</summary>
public sealed class GrpcPeer : IAsyncLifetime
{
    private Process? process;

    public Uri Endpoint { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var port = Testing.FreePort.Get();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        var script = Path.Combine(AppContext.BaseDirectory, "Grpc", "Peer", "grpc_peer.py");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        process = Process.Start(info) ?? throw new InvalidOperationException("Could not start python3");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != "ready")
            throw new InvalidOperationException($"The grpcio peer did not start: {line} {await process.StandardError.ReadToEndAsync(timeout.Token)}");
    }

    public Task DisposeAsync()
    {
        if (process is { HasExited: false })
            process.Kill();
        process?.Dispose();
        return Task.CompletedTask;
    }
}
