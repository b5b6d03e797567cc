namespace MaintenanceActors.Etcd;

/// <summary>Settings of an <see cref="EtcdClient"/>: endpoints, credentials, TLS files, timeouts and limits.</summary>
public sealed class EtcdClientOptions
{
    /// <summary>
    /// etcd endpoints, as etcdctl accepts them: <c>127.0.0.1:2379</c>, <c>[::1]:2379</c> or <c>http://127.0.0.1:2379</c>; an entry may
    /// hold several, comma-separated (spaces and empty entries are ignored). Without a scheme, https is used when a CA or client
    /// certificate is configured, http otherwise, and the port is required. A path, query or user info is refused. No default.
    /// </summary>
    public IList<string> Endpoints { get; set; } = new List<string>();

    /// <summary>User for etcd authentication; null (default) sends no token.</summary>
    public string? Username { get; set; }

    /// <summary>Password of <see cref="Username"/>.</summary>
    public string? Password { get; set; }

    /// <summary>PEM file of the CA(s) that sign the server certificate; when set, only this CA is trusted. Default: the system store.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>PEM file of the client certificate (for etcd's --client-cert-auth). Requires <see cref="ClientKeyPath"/>.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM file of the client certificate's private key.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>Name the server certificate must carry, instead of the endpoint's host. Default: the endpoint's host.</summary>
    public string? ServerName { get; set; }

    /// <summary>Time to open a TCP (and TLS) connection to one endpoint before trying the next. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of each unary call on one endpoint (sent as grpc-timeout). Default 10 s. Watch and keep-alive streams have none.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle time after which an HTTP/2 PING checks that the connection is alive (detects silent peers on long watches). Default 10 s.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time to wait for the PING answer before the connection is declared dead. Default 5 s.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest gRPC message sent or accepted, in bytes. Default 4 MiB (etcd itself refuses requests above 1.5 MiB by default).</summary>
    public int MaxMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Clock for deadlines and lease keep-alive intervals. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Splits a comma-separated endpoint list ("127.0.0.1:2379,http://10.0.0.2:2379") into trimmed entries.</summary>
    public static List<string> ParseEndpoints(string endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    /// <summary>
    /// Reads one etcdctl-style endpoint the way the client will use it: without a scheme it is https when
    /// <paramref name="useTls"/> (a CA or client certificate is configured), http otherwise. On failure
    /// <paramref name="problem"/> says what is wrong and what to write instead.
    /// </summary>
    public static bool TryParseEndpoint(string endpoint, bool useTls, out Uri uri, out string problem)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return EtcdEndpoints.TryNormalize(endpoint, useTls, out uri, out problem);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is missing or wrong, and how to fix it.</summary>
    public void Validate()
    {
        var endpoints = Endpoints.SelectMany(ParseEndpoints).ToList();
        if (endpoints.Count == 0)
            throw Invalid(nameof(Endpoints), "must name at least one endpoint (e.g. http://127.0.0.1:2379)");
        foreach (var endpoint in endpoints)
        {
            if (!EtcdEndpoints.TryNormalize(endpoint, UsesTls, out _, out var problem))
                throw Invalid(nameof(Endpoints), $"has an invalid entry '{endpoint}': {problem}");
        }
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
            throw Invalid(string.IsNullOrEmpty(Username) ? nameof(Username) : nameof(Password), "must be set together with "
                + (string.IsNullOrEmpty(Username) ? nameof(Password) : nameof(Username)));
        if (string.IsNullOrEmpty(ClientCertificatePath) != string.IsNullOrEmpty(ClientKeyPath))
            throw Invalid(string.IsNullOrEmpty(ClientCertificatePath) ? nameof(ClientCertificatePath) : nameof(ClientKeyPath),
                "must be set together with " + (string.IsNullOrEmpty(ClientCertificatePath) ? nameof(ClientKeyPath) : nameof(ClientCertificatePath)));
        RequireFile(nameof(CaCertificatePath), CaCertificatePath);
        RequireFile(nameof(ClientCertificatePath), ClientCertificatePath);
        RequireFile(nameof(ClientKeyPath), ClientKeyPath);
        RequirePositive(nameof(ConnectTimeout), ConnectTimeout);
        RequirePositive(nameof(RequestTimeout), RequestTimeout);
        RequirePositive(nameof(KeepAlivePingDelay), KeepAlivePingDelay);
        RequirePositive(nameof(KeepAlivePingTimeout), KeepAlivePingTimeout);
        if (MaxMessageSize <= 0)
            throw Invalid(nameof(MaxMessageSize), "must be a positive number of bytes (default 4194304)");
        if (TimeProvider is null)
            throw Invalid(nameof(TimeProvider), "must not be null (use TimeProvider.System)");
    }

    internal bool UsesTls => !string.IsNullOrEmpty(CaCertificatePath) || !string.IsNullOrEmpty(ClientCertificatePath);

    internal IReadOnlyList<Uri> GetEndpointUris() =>
        Endpoints.SelectMany(ParseEndpoints)
            .Select(e => EtcdEndpoints.TryNormalize(e, UsesTls, out var uri, out var problem)
                ? uri
                : throw Invalid(nameof(Endpoints), $"has an invalid entry '{e}': {problem}"))
            .Distinct()
            .ToList();

    private static void RequireFile(string name, string? path)
    {
        if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            throw Invalid(name, $"points to '{path}', which does not exist; give the path of a PEM file");
    }

    private static void RequirePositive(string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            throw Invalid(name, $"must be positive (was {value})");

        // Timers and the HTTP handler take at most int.MaxValue milliseconds; beyond that they fail later with a message naming neither.
        if (value > MaxDelay)
            throw Invalid(name, $"must be at most {Math.Floor(MaxDelay.TotalDays)} days, or Timeout.InfiniteTimeSpan (was {value})");
    }

    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(int.MaxValue);

    private static ArgumentException Invalid(string field, string problem) =>
        new($"EtcdClientOptions.{field} {problem}", field);
}
