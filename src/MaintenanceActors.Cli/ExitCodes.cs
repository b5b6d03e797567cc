namespace MaintenanceActors.Cli;

/// <summary>maintctl's exit codes (docs/maintctl.md lists them); scripts branch on these.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command ran but its work failed: a roll step did not drain or come back, its --exec failed, no free slot in time.</summary>
    public const int Failed = 1;

    /// <summary>A flag, argument or environment variable is wrong; nothing was written.</summary>
    public const int Usage = 2;

    /// <summary>etcd could not be used: unreachable, no answer in time, credentials or TLS refused, permission denied.</summary>
    public const int EtcdUnavailable = 3;

    /// <summary>Interrupted (Ctrl+C / SIGTERM) before the work was done; a roll clears what it holds first.</summary>
    public const int Interrupted = 130;
}

/// <summary>A wrong flag, argument or environment variable; its message is the one line maintctl prints.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>etcd could not be used; its message is the one line maintctl prints.</summary>
internal sealed class EtcdUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The command's work failed (exit code 1); its message is the one line maintctl prints.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);
