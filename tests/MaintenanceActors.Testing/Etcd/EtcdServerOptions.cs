namespace MaintenanceActors.Testing;

/// <summary>How an <see cref="EtcdServer"/> is started.</summary>
public sealed record EtcdServerOptions
{
    /// <summary>Serve clients over TLS with certificates from a fresh <see cref="TestPki"/>. Default false (h2c).</summary>
    public bool Tls { get; init; }

    /// <summary>With <see cref="Tls"/>: require a client certificate signed by the test CA (--client-cert-auth). Default true.</summary>
    public bool ClientCertAuth { get; init; } = true;

    /// <summary>Lifetime of simple auth tokens in seconds (--auth-token-ttl); null keeps etcd's default (300 s).</summary>
    public int? AuthTokenTtlSeconds { get; init; }

    /// <summary>With <see cref="Tls"/>: use these certificates (owned by the caller) instead of a fresh PKI, e.g. for every member of a cluster.</summary>
    public TestPki? SharedPki { get; init; }

    /// <summary>More etcd flags, e.g. "--max-request-bytes", "1024".</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}
