using System.CommandLine;
using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Output;

namespace MaintenanceActors.Cli.Commands;

/// <summary>The flags every command takes: how to reach etcd (as etcdctl names them) and the output format.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Endpoints { get; } = new("--endpoints") { Description = "etcd endpoints, comma-separated, as etcdctl takes them (host:port or http(s)://host:port) [env ETCDCTL_ENDPOINTS; default 127.0.0.1:2379]", Recursive = true };
    public Option<string?> User { get; } = new("--user") { Description = "etcd user, 'name' or 'name:password' [env ETCDCTL_USER]", Recursive = true };
    public Option<string?> Password { get; } = new("--password") { Description = "etcd password [env ETCDCTL_PASSWORD]", Recursive = true };
    public Option<string?> CaCert { get; } = new("--cacert") { Description = "CA bundle (PEM) that etcd's certificate must chain to; bare endpoints then use https [env ETCDCTL_CACERT]", Recursive = true };
    public Option<string?> Cert { get; } = new("--cert") { Description = "client certificate (PEM) for etcd's --client-cert-auth [env ETCDCTL_CERT]", Recursive = true };
    public Option<string?> Key { get; } = new("--key") { Description = "client key (PEM) [env ETCDCTL_KEY]", Recursive = true };
    public Option<string?> CommandTimeout { get; } = new("--command-timeout") { Description = "how long one etcd request may take, e.g. 5s [env ETCDCTL_COMMAND_TIMEOUT; default 5s]", Recursive = true };
    public Option<string> Output { get; } = new("--output", "-o") { Description = "text (tables) or json", Recursive = true, DefaultValueFactory = _ => "text" };

    public IEnumerable<Option> All => [Endpoints, User, Password, CaCert, Cert, Key, CommandTimeout, Output];

    public EtcdSettings Etcd(ParseResult r, CliIo io) => EtcdSettings.From(io.Environment, r.GetValue(Endpoints), r.GetValue(User), r.GetValue(Password),
        r.GetValue(CaCert), r.GetValue(Cert), r.GetValue(Key), r.GetValue(CommandTimeout));

    public bool Json(ParseResult r) => r.GetValue(Output) switch
    {
        "json" => true,
        "text" => false,
        var other => throw new UsageException($"--output must be text or json, not '{other}'"),
    };
}
