using System.CommandLine;
using System.Globalization;
using MaintenanceActors.Cli.Output;
using MaintenanceActors.Dashboard;

namespace MaintenanceActors.Cli.Commands;

/// <summary>
/// <c>maintctl dashboard [--port 8090] [--listen 127.0.0.1] [--by who]</c>: serves the live fleet dashboard
/// (<see cref="MaintenanceDashboard"/>) with the same etcd endpoints, TLS and auth as every other command, until Ctrl+C.
/// Writes from the page need the token from <c>MAINTCTL_DASHBOARD_TOKEN</c>, or the one generated and printed with the URL.
/// </summary>
internal static class DashboardCommand
{
    public static Command Create(GlobalOptions global, CliIo io)
    {
        var port = new Option<string?>("--port", "-p") { Description = $"TCP port to serve on [default {DashboardOptions.DefaultPort}]" };
        var listen = new Option<string?>("--listen") { Description = "address to bind; anything but loopback exposes the page and its buttons to the network [default 127.0.0.1]" };
        var by = new Option<string?>("--by") { Description = "who the page's writes are recorded as when the page does not say; default $USER@$HOSTNAME" };
        var command = new Command("dashboard", $"Serve the live fleet dashboard in a browser (server-sent events from one etcd watch; enable/disable need the token from {DashboardOptions.TokenEnvironmentVariable}, or the one printed)")
        {
            port, listen, by,
        };
        command.SetAction(async (r, ct) =>
        {
            var options = new DashboardOptions
            {
                Port = Port(r.GetValue(port)),
                BindAddress = r.GetValue(listen) is { Length: > 0 } address ? address : "127.0.0.1",
                By = Who.By(r.GetValue(by), io),
                AuthToken = io.Environment(DashboardOptions.TokenEnvironmentVariable) is { Length: > 0 } token ? token : null,
                Output = io.Output,
            }.UseEtcd(global.Etcd(r, io).ToSourceOptions());
            try
            {
                await MaintenanceDashboard.RunAsync(options, ct);
            }
            catch (MaintenanceConfigurationException ex)
            {
                throw new UsageException(ex.Message);
            }
            catch (DashboardStartException ex)
            {
                throw new CommandFailedException(ex.Message);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static int Port(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return DashboardOptions.DefaultPort;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new UsageException($"--port must be a TCP port number from 1 to 65535, not '{text}'");
    }
}
