namespace MaintenanceActors.Etcd;

public sealed partial class EtcdClient
{
    /// <summary>
    /// Authenticates and from then on sends the token as <c>token</c> metadata on every call; when etcd rejects a token later,
    /// the client authenticates again once and retries. Throws <see cref="EtcdException"/> for wrong credentials.
    /// </summary>
    public Task AuthenticateAsync(string user, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(password);
        return connection.SetCredentialsAsync(user, password, cancellationToken);
    }

    /// <summary>Replaces the cached token, to simulate an expired or revoked one in tests.</summary>
    internal void SetTokenForTesting(string? token) => connection.Token = token;
}
