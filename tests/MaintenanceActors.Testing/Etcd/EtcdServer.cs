using System.Diagnostics;
using System.Text;
using dotnet_etcd;
using Grpc.Core;
using MaintenanceActors.Etcd;
using Xunit;

namespace MaintenanceActors.Testing;

/// <summary>
/// A real etcd (/usr/bin/etcd) on 127.0.0.1 with free ports and a temp data dir (mode 700). Usable as an xunit class/collection
/// fixture or directly (<see cref="StartAsync(EtcdServerOptions?)"/>). <see cref="Kill"/> is kill -9; <see cref="RestartAsync"/> reuses the data and ports.
/// </summary>
public sealed class EtcdServer : IAsyncLifetime, IAsyncDisposable
{
    private const string EtcdBinary = "/usr/bin/etcd";
    private const string EtcdCtlBinary = "/usr/bin/etcdctl";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly EtcdServerOptions options;
    private readonly TempDirectory directory = new("ma-etcd");
    private readonly StringBuilder output = new();
    private Process? process;
    private bool everStarted;

    public EtcdServer()
        : this(new EtcdServerOptions())
    {
    }

    private EtcdServer(EtcdServerOptions options)
    {
        this.options = options;
        ClientPort = FreePort.Get();
        PeerPort = FreePort.Get();
        DataDirectory = directory.CreateSubdirectory("data");
    }

    /// <summary>A member of an <see cref="EtcdCluster"/>: its ports are fixed, since every member's --initial-cluster names them.</summary>
    internal EtcdServer(EtcdServerOptions options, string name, int clientPort, int peerPort, string initialCluster)
    {
        this.options = options;
        memberName = name;
        this.initialCluster = initialCluster;
        ClientPort = clientPort;
        PeerPort = peerPort;
        DataDirectory = directory.CreateSubdirectory("data");
    }

    private readonly string memberName = "test";
    private readonly string? initialCluster;

    /// <summary>
    /// The installed etcd's version line (e.g. "etcd Version: 3.4.23"), read once per test run; fails with how to install etcd when
    /// /usr/bin/etcd is missing.
    /// </summary>
    public static string EtcdVersion => version.Value;

    private static readonly Lazy<string> version = new(ReadVersion);

    private static string ReadVersion()
    {
        if (!File.Exists(EtcdBinary))
            throw new InvalidOperationException($"etcd not found: run bash scripts/install-deps.sh (looked for {EtcdBinary})");
        if (!File.Exists(EtcdCtlBinary))
            throw new InvalidOperationException($"etcdctl not found: run bash scripts/install-deps.sh (looked for {EtcdCtlBinary})");
        var info = new ProcessStartInfo(EtcdBinary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--version");
        using var run = Process.Start(info) ?? throw new InvalidOperationException($"could not run {EtcdBinary} --version");
        var text = run.StandardOutput.ReadToEnd();
        run.WaitForExit();
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("etcd Version", StringComparison.Ordinal))?.Trim() ?? text.Trim();
        // Once per test run, so a failure report says which etcd the specs ran against.
        Console.Error.WriteLine($"[MaintenanceActors.Testing] {EtcdBinary}: {line}");
        return line;
    }

    /// <summary>The port etcd serves clients on (chosen again if another process took it before etcd's first start).</summary>
    public int ClientPort { get; private set; }

    /// <summary>The raft peer port (unused by clients).</summary>
    public int PeerPort { get; private set; }

    /// <summary>The data directory (kept across <see cref="RestartAsync"/>).</summary>
    public string DataDirectory { get; }

    /// <summary>The client URL, e.g. http://127.0.0.1:40123.</summary>
    public string Endpoint => $"{(options.Tls ? "https" : "http")}://127.0.0.1:{ClientPort}";

    /// <summary>The certificates in TLS mode; null otherwise.</summary>
    public TestPki? Pki { get; private set; }

    /// <summary>Root password once <see cref="EnableAuthAsync"/> ran; clients from <see cref="CreateClient"/> then log in as root.</summary>
    public string? RootPassword { get; private set; }

    /// <summary>True while the etcd process runs.</summary>
    public bool IsRunning => process is { HasExited: false };

    /// <summary>etcd's recent output, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
                return output.ToString();
        }
    }

    /// <summary>Creates and starts a server, waiting until it answers.</summary>
    public static async Task<EtcdServer> StartAsync(EtcdServerOptions? options = null)
    {
        var server = new EtcdServer(options ?? new EtcdServerOptions());
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    Task IAsyncLifetime.InitializeAsync() => StartAsync();

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>Starts etcd (on the existing data when restarted) and waits until it serves requests.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
            return;
        _ = EtcdVersion; // fails fast, with how to install etcd, when it is missing
        if (options.Tls && Pki is null)
            Pki = options.SharedPki ?? await TestPki.CreateAsync();
        var info = new ProcessStartInfo(EtcdBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        for (var attempt = 1; ; attempt++)
        {
            info.ArgumentList.Clear();
            foreach (var argument in Arguments())
                info.ArgumentList.Add(argument);
            var started = Process.Start(info) ?? throw new InvalidOperationException("Could not start etcd");
            started.OutputDataReceived += (_, e) => Append(e.Data);
            started.ErrorDataReceived += (_, e) => Append(e.Data);
            started.BeginOutputReadLine();
            started.BeginErrorReadLine();
            process = started;
            try
            {
                await WaitUntilReadyAsync(started);
                everStarted = true;
                return;
            }
            catch (InvalidOperationException) when (!everStarted && initialCluster is null && attempt < 5 && Output.Contains("address already in use", StringComparison.Ordinal))
            {
                // A free port is only free until someone binds it: on a busy machine another process (or an outgoing
                // connection's ephemeral port) can take it before etcd does. Before the first start nothing depends on it.
                started.Dispose();
                process = null;
                ClientPort = FreePort.Get();
                PeerPort = FreePort.Get();
                lock (output)
                    output.Clear();
            }
        }
    }

    /// <summary>Kills etcd with SIGKILL (no graceful shutdown) and waits for the process to be gone.</summary>
    public void Kill()
    {
        var running = process;
        if (running is null || running.HasExited)
            return;
        running.Kill();
        running.WaitForExit();
    }

    /// <summary>Stops etcd with SIGTERM, so it closes its client streams itself, and waits until the process has exited.</summary>
    public async Task StopGracefullyAsync()
    {
        var running = process;
        if (running is null || running.HasExited)
            return;
        await ProcessRunner.RunAsync("kill", ["-TERM", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await running.WaitForExitAsync().WaitAsync(ReadyTimeout);
    }

    /// <summary>Kills etcd if it runs and starts it again on the same data directory and ports.</summary>
    public async Task RestartAsync()
    {
        Kill();
        process?.Dispose();
        process = null;
        await StartAsync();
    }

    /// <summary>
    /// Source options for this server: its endpoint, and its CA, client certificate and root login when those apply, watching
    /// <paramref name="key"/>. <see cref="CreateClient"/> builds clients from these.
    /// </summary>
    public EtcdSourceOptions CreateSourceOptions(string key = "/maintenance/test")
    {
        var sourceOptions = new EtcdSourceOptions { Endpoints = [Endpoint], Key = key };
        if (Pki is not null)
        {
            sourceOptions.CaCertificatePath = Pki.CaCertificatePath;
            if (options.ClientCertAuth)
            {
                sourceOptions.ClientCertificatePath = Pki.ClientCertificatePath;
                sourceOptions.ClientKeyPath = Pki.ClientKeyPath;
            }
        }
        if (RootPassword is not null)
        {
            sourceOptions.Username = "root";
            sourceOptions.Password = RootPassword;
        }
        return sourceOptions;
    }

    /// <summary>A dotnet-etcd client for this server, built as the library builds its own; <paramref name="configure"/> may change the options first.</summary>
    public EtcdClient CreateClient(Action<EtcdSourceOptions>? configure = null)
    {
        var sourceOptions = CreateSourceOptions();
        configure?.Invoke(sourceOptions);
        return EtcdClientFactory.Create(sourceOptions);
    }

    /// <summary>Runs etcdctl (API v3) against this server, with its TLS files and root login when those apply; returns stdout.</summary>
    public Task<string> EtcdCtlAsync(params string[] arguments)
    {
        var all = new List<string> { $"--endpoints={Endpoint}", "--dial-timeout=5s", "--command-timeout=10s" };
        if (Pki is not null)
        {
            all.Add($"--cacert={Pki.CaCertificatePath}");
            all.Add($"--cert={Pki.ClientCertificatePath}");
            all.Add($"--key={Pki.ClientKeyPath}");
        }
        if (RootPassword is not null)
            all.Add($"--user=root:{RootPassword}");
        all.AddRange(arguments);
        return ProcessRunner.RunAsync(EtcdCtlBinary, all);
    }

    /// <summary>Adds user root and enables authentication; later clients and etcdctl calls log in as root.</summary>
    public async Task EnableAuthAsync(string rootPassword = "root-secret")
    {
        await EtcdCtlAsync("user", "add", $"root:{rootPassword}");
        await EtcdCtlAsync("auth", "enable");
        RootPassword = rootPassword;
    }

    /// <summary>Adds a user who may only read keys under <paramref name="readablePrefix"/> (role "{user}-role").</summary>
    public async Task AddReadOnlyUserAsync(string user, string password, string readablePrefix)
    {
        var role = $"{user}-role";
        await EtcdCtlAsync("role", "add", role);
        await EtcdCtlAsync("role", "grant-permission", role, "read", readablePrefix, "--prefix=true");
        await EtcdCtlAsync("user", "add", $"{user}:{password}");
        await EtcdCtlAsync("user", "grant-role", user, role);
    }

    private IEnumerable<string> Arguments()
    {
        var peer = $"http://127.0.0.1:{PeerPort}";
        List<string> args =
        [
            "--name", memberName, "--data-dir", DataDirectory,
            "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", initialCluster ?? $"{memberName}={peer}", "--initial-cluster-state", "new",
            // Fast elections make a restart on existing data ready in ~0.3 s instead of ~1.5 s.
            "--heartbeat-interval", "20", "--election-timeout", "200",
            "--logger", "zap", "--log-level", "warn",
        ];
        if (Pki is not null)
        {
            args.AddRange(["--cert-file", Pki.ServerCertificatePath, "--key-file", Pki.ServerKeyPath]);
            // etcd 3.4 demands a client certificate whenever it is given a trusted CA, --client-cert-auth or not.
            if (options.ClientCertAuth)
                args.AddRange(["--trusted-ca-file", Pki.CaCertificatePath, "--client-cert-auth"]);
        }
        if (options.AuthTokenTtlSeconds is { } ttl)
            args.AddRange(["--auth-token", "simple", "--auth-token-ttl", ttl.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        args.AddRange(options.ExtraArguments);
        return args;
    }

    private async Task WaitUntilReadyAsync(Process started)
    {
        var probeOptions = CreateSourceOptions();
        probeOptions.Username = null;
        probeOptions.Password = null;
        using var client = EtcdClientFactory.Create(probeOptions);
        var deadline = DateTime.UtcNow + ReadyTimeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (started.HasExited)
                throw new InvalidOperationException($"etcd exited with {started.ExitCode} while starting:\n{Output}");
            try
            {
                await client.GetAsync("ready-probe", deadline: DateTime.UtcNow.AddSeconds(2));
                return;
            }
            catch (RpcException ex) when (ex.StatusCode is not StatusCode.Unavailable and not StatusCode.DeadlineExceeded)
            {
                // An answer from etcd itself (e.g. "user name is empty" with auth on) means it serves requests.
                return;
            }
            catch (RpcException ex)
            {
                last = ex;
            }
            catch (OperationCanceledException ex)
            {
                // The probe's deadline passed (the client reports a deadline as cancellation): not ready yet.
                last = ex;
            }
            // Polling a condition with a deadline: the pause only spaces the probes.
            await Task.Delay(50);
        }
        throw new TimeoutException($"etcd did not become ready within {ReadyTimeout.TotalSeconds} s ({last?.Message}):\n{Output}");
    }

    private readonly List<(string Text, TaskCompletionSource Seen)> outputWaiters = new();

    /// <summary>
    /// Completes when etcd writes a line containing <paramref name="text"/> from now on (e.g. "deleted a simple token" at
    /// --log-level info); fails with etcd's output after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (output)
            outputWaiters.Add((text, seen));
        try
        {
            await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"etcd wrote no line containing '{text}' within {timeout.TotalSeconds} s:\n{Output}");
        }
        finally
        {
            lock (output)
                outputWaiters.RemoveAll(w => w.Seen == seen);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (output)
        {
            foreach (var waiter in outputWaiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)))
                waiter.Seen.TrySetResult();
            if (output.Length > 64 * 1024)
                output.Remove(0, output.Length - 32 * 1024);
            output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        process?.Dispose();
        process = null;
        if (options.SharedPki is null)
            Pki?.Dispose();
        // etcd may still flush for a moment after SIGKILL returns; deleting is best effort then.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                directory.Dispose();
                return;
            }
            catch (IOException) when (attempt < 2)
            {
                await Task.Yield();
            }
        }
    }
}
