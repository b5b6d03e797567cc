namespace MaintenanceActors.Etcd;

/// <summary>An etcd call failed: unreachable, refused (TLS, auth, permission) or the watch was cancelled by etcd. The message says which and why.</summary>
internal sealed class EtcdException(string message, Exception? inner = null) : IOException(message, inner);
