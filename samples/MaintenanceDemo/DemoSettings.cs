namespace MaintenanceDemo;

/// <summary>What the demo drives, from environment variables with defaults.</summary>
internal sealed record DemoSettings(
    string ServiceUrl,
    string EtcdEndpoints,
    string Key,
    string Etcdctl,
    int Clients,
    int SlowClients,
    int SlowMs,
    TimeSpan Warmup,
    TimeSpan Hold,
    TimeSpan Tail)
{
    public static DemoSettings FromEnvironment()
    {
        static string Env(string name, string fallback) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
        static int Int(string name, int fallback) =>
            int.TryParse(Environment.GetEnvironmentVariable(name), out var v) && v >= 0 ? v : fallback;

        return new DemoSettings(
            ServiceUrl: Env("DEMO_URL", "http://127.0.0.1:5080"),
            EtcdEndpoints: Env("ETCD_ENDPOINTS", "127.0.0.1:2379"),
            Key: Env("MAINTENANCE_KEY", "/maintenance/http-service"),
            Etcdctl: Env("ETCDCTL", "etcdctl"),
            Clients: Int("DEMO_CLIENTS", 16),
            SlowClients: Int("DEMO_SLOW_CLIENTS", 4),
            SlowMs: Int("DEMO_SLOW_MS", 1500),
            Warmup: TimeSpan.FromSeconds(Int("DEMO_WARMUP_S", 3)),
            Hold: TimeSpan.FromSeconds(Int("DEMO_HOLD_S", 4)),
            Tail: TimeSpan.FromSeconds(Int("DEMO_TAIL_S", 3)));
    }
}
