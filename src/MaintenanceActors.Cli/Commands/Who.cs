using MaintenanceActors.Cli.Output;

namespace MaintenanceActors.Cli.Commands;

/// <summary>Who and why for every write: --by, else $USER@$HOSTNAME.</summary>
internal static class Who
{
    public static string By(string? flag, CliIo io)
    {
        if (!string.IsNullOrWhiteSpace(flag))
        {
            return flag.Trim();
        }
        var user = io.Environment("USER") is { Length: > 0 } u ? u : Environment.UserName;
        var host = io.Environment("HOSTNAME") is { Length: > 0 } h ? h : Environment.MachineName;
        return $"{user}@{host}";
    }
}
