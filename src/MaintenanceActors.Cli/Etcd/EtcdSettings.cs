using MaintenanceActors.Cli.Output;

namespace MaintenanceActors.Cli.Etcd;

/// <summary>
/// How maintctl reaches etcd: each setting from its flag, else from etcdctl's environment variable (<c>ETCDCTL_ENDPOINTS</c>,
/// <c>ETCDCTL_USER</c>, <c>ETCDCTL_PASSWORD</c>, <c>ETCDCTL_CACERT</c>, <c>ETCDCTL_CERT</c>, <c>ETCDCTL_KEY</c>,
/// <c>ETCDCTL_COMMAND_TIMEOUT</c>), else the default (127.0.0.1:2379, no TLS, no auth, 5 s).
/// </summary>
internal sealed record EtcdSettings(
    string Endpoints,
    string? User,
    string? Password,
    string? CaCert,
    string? Cert,
    string? Key,
    TimeSpan CommandTimeout)
{
    public const string DefaultEndpoints = "127.0.0.1:2379";
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Combines flags (null when not given) with the environment; throws <see cref="UsageException"/> naming the flag or variable at fault.</summary>
    public static EtcdSettings From(Func<string, string?> env, string? endpoints, string? user, string? password, string? caCert,
        string? cert, string? key, string? commandTimeout)
    {
        static string? Pick(string? flag, Func<string, string?> env, string variable) =>
            !string.IsNullOrWhiteSpace(flag) ? flag : env(variable) is { Length: > 0 } value ? value : null;

        var endpointText = Pick(endpoints, env, "ETCDCTL_ENDPOINTS") ?? DefaultEndpoints;
        var userText = Pick(user, env, "ETCDCTL_USER");
        var passwordText = Pick(password, env, "ETCDCTL_PASSWORD");
        // etcdctl takes --user as "name" or "name:password".
        if (userText is not null && passwordText is null && userText.IndexOf(':') is var colon and > 0)
        {
            passwordText = userText[(colon + 1)..];
            userText = userText[..colon];
        }
        if (userText is not null && string.IsNullOrEmpty(passwordText))
        {
            throw new UsageException($"--user '{userText}' needs a password: write --user {userText}:PASSWORD, or set --password or ETCDCTL_PASSWORD");
        }
        var timeoutText = Pick(commandTimeout, env, "ETCDCTL_COMMAND_TIMEOUT");
        var timeout = timeoutText is null ? DefaultCommandTimeout : Durations.Parse(timeoutText, commandTimeout is null ? "ETCDCTL_COMMAND_TIMEOUT" : "--command-timeout");
        var settings = new EtcdSettings(endpointText, userText, passwordText, Pick(caCert, env, "ETCDCTL_CACERT"),
            Pick(cert, env, "ETCDCTL_CERT"), Pick(key, env, "ETCDCTL_KEY"), timeout);
        settings.Validate(endpoints is null ? "ETCDCTL_ENDPOINTS" : "--endpoints");
        return settings;
    }

    /// <summary>The core's etcd options for these settings (the client factory and its validation are shared with the services).</summary>
    public EtcdSourceOptions ToSourceOptions() => new()
    {
        Endpoints = EtcdSourceOptions.SplitEndpoints(Endpoints),
        Key = "/maintenance",
        Username = User,
        Password = Password,
        CaCertificatePath = CaCert,
        ClientCertificatePath = Cert,
        ClientKeyPath = Key,
    };

    private void Validate(string endpointsName)
    {
        try
        {
            ToSourceOptions().Validate();
        }
        catch (MaintenanceConfigurationException ex)
        {
            // Name what the operator typed, not the library's configuration path.
            var field = ex.Field[(ex.Field.LastIndexOf(':') + 1)..];
            var name = field switch
            {
                "Endpoints" => endpointsName,
                "CaCertificatePath" => "--cacert / ETCDCTL_CACERT",
                "ClientCertificatePath" => "--cert / ETCDCTL_CERT",
                "ClientKeyPath" => "--key / ETCDCTL_KEY",
                "Username" or "Password" => "--user / --password",
                _ => "etcd settings",
            };
            throw new UsageException($"{name} {ex.Message[(ex.Field.Length + 1)..]}");
        }
    }
}
