using MaintenanceActors.AspNetCore.Gate;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.AspNetCore.Http;

/// <summary>Whether the application placed the maintenance gate itself (<c>app.UseMaintenance()</c>).</summary>
internal sealed class MaintenanceGatePlacement
{
    private volatile bool _byApplication;

    public bool IsPlacedByApplication => _byApplication;

    public void PlacedByApplication() => _byApplication = true;
}

/// <summary>
/// Puts the maintenance gate first in the pipeline unless the application calls <c>app.UseMaintenance()</c> itself, so a
/// forgotten call cannot leave the HTTP drain registered with nothing refusing or counting requests (requests would keep
/// getting 200 in maintenance and drains would report done while requests run).
/// </summary>
/// <remarks>
/// The filter runs before the application's own pipeline is configured, so whether the application placed a gate is
/// decided when the pipeline is built, after every <c>UseMaintenance()</c> call: then the filter adds nothing and every
/// request passes exactly one gate.
/// </remarks>
internal sealed class MaintenanceGateStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var services = app.ApplicationServices;
        var placement = services.GetRequiredService<MaintenanceGatePlacement>();
        var gate = MaintenanceMiddleware.Factory(services, services.GetRequiredService<RequestGates>());
        app.Use(rest =>
        {
            if (placement.IsPlacedByApplication)
            {
                return rest;
            }

            services.GetService<ILoggerFactory>()?.CreateLogger<MaintenanceGateStartupFilter>().LogInformation(
                "The maintenance gate was put first in the pipeline because app.UseMaintenance() was not called; call it to choose its place");
            return gate(rest);
        });
        next(app);
    };
}
