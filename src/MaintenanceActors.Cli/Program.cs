using MaintenanceActors.Cli;
using MaintenanceActors.Cli.Output;

using var stop = new CancellationTokenSource();
// Ctrl+C and SIGTERM end the command cleanly: a roll clears what it holds, watch just stops.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
return await Maintctl.RunAsync(args, CliIo.System(), stop.Token);
