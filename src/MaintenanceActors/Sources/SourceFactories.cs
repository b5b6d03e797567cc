using Akka.Actor;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors;

internal static class FileSourceFactory
{
    public static (string Name, Func<Props> Props) Create(IServiceProvider services, Action<FileSourceOptions>? configure)
    {
        var options = new FileSourceOptions();
        MaintenanceConfigurationBinder.Bind(services.GetService<IConfiguration>()?.GetSection("Maintenance:File"), options);
        configure?.Invoke(options);
        options.Validate();
        return (options.SourceName, () => FactoryProps.Create(() => new FileSourceActor(options)));
    }
}

internal static class WebhookSourceFactory
{
    public static WebhookSource Create(IServiceProvider services, Action<WebhookSourceOptions>? configure)
    {
        var options = new WebhookSourceOptions();
        MaintenanceConfigurationBinder.Bind(services.GetService<IConfiguration>()?.GetSection("Maintenance:Webhook"), options);
        configure?.Invoke(options);
        options.Validate();
        return new WebhookSource(services.GetRequiredService<ActorSystem>(), options);
    }
}
