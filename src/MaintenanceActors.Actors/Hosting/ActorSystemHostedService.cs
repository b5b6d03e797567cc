using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Actors.Hosting;

/// <summary>Runs the starters when the host starts and terminates the actor system when it stops.</summary>
internal sealed class ActorSystemHostedService(
    ActorSystem system,
    ActorRegistry registry,
    ActorSystemBuilder builder,
    IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var starter in builder.Starters)
        {
            cancellationToken.ThrowIfCancellationRequested();
            starter(system, registry, services);
        }

        system.KernelLog.LogInformation("Actor system {SystemName} started", system.Name);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await system.Terminate().WaitAsync(cancellationToken).ConfigureAwait(false);
            system.KernelLog.LogInformation("Actor system {SystemName} terminated", system.Name);
        }
        catch (OperationCanceledException)
        {
            system.KernelLog.LogWarning("Actor system {SystemName} did not terminate before the host's shutdown timeout", system.Name);
        }
    }
}
