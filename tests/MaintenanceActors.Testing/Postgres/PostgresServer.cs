namespace MaintenanceActors.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 on 127.0.0.1 and a free port: Debian's server binaries, initdb + pg_ctl in a temp directory
/// (as the <c>postgres</c> OS user when the tests run as root, which PostgreSQL refuses to run as), trust authentication,
/// fsync off. Stop and start it again to simulate an outage.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Where Debian's postgresql-15 package puts the server binaries.</summary>
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private static readonly Lazy<string?> MissingPrerequisite = new(FindMissingPrerequisite);
    private static int _versionPrinted;

    private readonly TempDirectory _directory;
    private readonly string _dataDirectory;

    private PostgresServer(TempDirectory directory, int port)
    {
        _directory = directory;
        _dataDirectory = directory.Combine("data");
        Port = port;
    }

    /// <summary>"[PostgresServer] postgres (PostgreSQL) 15.x from …": set by the first start of the run, for a fixture to report.</summary>
    public static string? VersionLine { get; private set; }

    /// <summary>The port the server listens on (127.0.0.1 only).</summary>
    public int Port { get; }

    /// <summary>True between a successful start and a stop.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>An Npgsql connection string for user postgres (no password: trust authentication).</summary>
    public string ConnectionString(string database = "postgres", string? applicationName = null, bool pooling = true) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling={pooling}"
        + (applicationName is null ? "" : $";Application Name={applicationName}");

    /// <summary>Initialises a cluster in a fresh temp directory and starts it; fails with one line naming what is missing.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        if (MissingPrerequisite.Value is { } missing)
        {
            throw new InvalidOperationException(missing);
        }
        var directory = new TempDirectory("ma-pg");
        var server = new PostgresServer(directory, FreePort.Get());
        try
        {
            // The temp directory is mode 700 for its owner; the server's user must own it to reach its data directory.
            if (RunsAsRoot)
            {
                await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", directory.Path]);
            }
            await server.RunAsync("initdb", ["-D", server._dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
            await server.StartAgainAsync();
            if (Interlocked.Exchange(ref _versionPrinted, 1) == 0)
            {
                var version = (await server.RunAsync("postgres", ["--version"])).Trim();
                VersionLine = $"[PostgresServer] {version} from {BinDirectory}";
                Console.Error.WriteLine(VersionLine);
            }
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again) on the same port and data; returns when it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        var options = $"-c listen_addresses=127.0.0.1 -p {Port} -k {_directory.Path} -c fsync=off -c max_connections=100";
        await RunAsync("pg_ctl", ["-D", _dataDirectory, "-l", _directory.Combine("server.log"), "-w", "-t", "30", "-o", options, "start"], TimeSpan.FromSeconds(40));
        IsRunning = true;
    }

    /// <summary>Stops the server (fast mode: sessions are ended, as in a real restart).</summary>
    public async Task StopAsync(string mode = "fast")
    {
        await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", mode, "-w", "-t", "30", "stop"], TimeSpan.FromSeconds(40));
        IsRunning = false;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
            {
                await StopAsync("immediate");
            }
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"[PostgresServer] stopping the server on port {Port} failed: {ex.Message}");
        }
        _directory.Dispose();
    }

    private static bool RunsAsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private Task<string> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var binary = Path.Combine(BinDirectory, program);
        return RunsAsRoot
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", binary, .. arguments], _directory.Path, timeout)
            : ProcessRunner.RunAsync(binary, arguments, _directory.Path, timeout);
    }

    private static string? FindMissingPrerequisite()
    {
        const string install = "run `bash scripts/install-deps.sh` to install it";
        foreach (var program in new[] { "initdb", "pg_ctl", "postgres" })
        {
            if (!File.Exists(Path.Combine(BinDirectory, program)))
            {
                return $"PostgreSQL 15 server binaries are missing ({Path.Combine(BinDirectory, program)} not found; Debian package postgresql-15): {install}";
            }
        }
        if (RunsAsRoot && !File.ReadLines("/etc/passwd").Any(line => line.StartsWith("postgres:", StringComparison.Ordinal)))
        {
            return $"The 'postgres' OS user that runs PostgreSQL under root is missing (Debian package postgresql-15 creates it): {install}";
        }
        return null;
    }
}
