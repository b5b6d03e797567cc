using System.CommandLine;
using MaintenanceActors.Cli.Commands;
using MaintenanceActors.Cli.Output;

namespace MaintenanceActors.Cli;

/// <summary>maintctl's entry point: parses, runs one command, and turns every failure into one line on stderr and an exit code.</summary>
internal static class Maintctl
{
    public static RootCommand Build(CliIo io)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("maintctl: status, maintenance switches, live watch, rolling maintenance, history and a live dashboard for MaintenanceActors fleets (docs/maintctl.md)");
        foreach (var option in global.All)
        {
            root.Add(option);
        }
        root.Add(StatusCommand.Create(global, io));
        root.Add(SwitchCommands.Create(global, io, enable: true));
        root.Add(SwitchCommands.Create(global, io, enable: false));
        root.Add(WatchCommand.Create(global, io));
        root.Add(RollCommand.Create(global, io));
        root.Add(HistoryCommand.Create(global, io));
        root.Add(DashboardCommand.Create(global, io));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliIo io, CancellationToken ct)
    {
        try
        {
            var parse = Build(io).Parse(args);
            if (parse.Errors.Count > 0)
            {
                var command = parse.CommandResult.Command.Name;
                var help = command == "maintctl" ? "maintctl --help" : $"maintctl {command} --help";
                return Fail(io, ExitCodes.Usage, $"{string.Join(" ", parse.Errors.Select(e => e.Message).Distinct())} (see {help})");
            }
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = io.Output,
                Error = io.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, ct);
        }
        catch (UsageException ex)
        {
            return Fail(io, ExitCodes.Usage, ex.Message);
        }
        catch (EtcdUnavailableException ex)
        {
            return Fail(io, ExitCodes.EtcdUnavailable, ex.Message);
        }
        catch (CommandFailedException ex)
        {
            return Fail(io, ExitCodes.Failed, ex.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Fail(io, ExitCodes.Interrupted, "interrupted");
        }
        catch (Exception ex)
        {
            // Never a stack trace: one line with what went wrong.
            return Fail(io, ExitCodes.Failed, $"unexpected {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static int Fail(CliIo io, int code, string message)
    {
        io.Error.WriteLine($"maintctl: {message}");
        io.Error.Flush();
        return code;
    }
}
