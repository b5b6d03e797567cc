using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MaintenanceActors;

/// <summary>Reads the <c>Maintenance</c> configuration section field by field, so a bad value is reported with its full path.</summary>
internal static class MaintenanceConfigurationBinder
{
    public static void Bind(IConfiguration? section, MaintenanceOptions options)
    {
        if (section is null) return;
        var path = MaintenanceOptions.SectionName;
        Duration(section, path, nameof(options.DrainTimeout), v => options.DrainTimeout = v);
        Duration(section, path, nameof(options.ResumeTimeout), v => options.ResumeTimeout = v);
        Duration(section, path, nameof(options.Debounce), v => options.Debounce = v);
        Duration(section, path, nameof(options.RestartMinBackoff), v => options.RestartMinBackoff = v);
        Duration(section, path, nameof(options.RestartMaxBackoff), v => options.RestartMaxBackoff = v);
        Duration(section, path, nameof(options.ReplyGrace), v => options.ReplyGrace = v);
        Duration(section, path, nameof(options.ShutdownDrainTimeout), v => options.ShutdownDrainTimeout = v);
        Duration(section, path, nameof(options.SourceOutageThreshold), v => options.SourceOutageThreshold = v);
        if (section[nameof(options.SourceOutageReadiness)] is { } policy)
        {
            options.SourceOutageReadiness = Enum.TryParse<SourceOutagePolicy>(policy, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw new MaintenanceConfigurationException($"{path}:{nameof(options.SourceOutageReadiness)}", $"must be Degraded or NotReady, but was '{policy}'");
        }
    }

    public static void Bind(IConfiguration? section, EtcdSourceOptions options)
    {
        if (section is null) return;
        var path = $"{MaintenanceOptions.SectionName}:{EtcdSourceOptions.SectionName}";
        var endpoints = section.GetSection(nameof(options.Endpoints));
        if (endpoints.Value is { } list)
        {
            options.Endpoints = EtcdSourceOptions.SplitEndpoints(list);
        }
        else if (endpoints.GetChildren().Any())
        {
            options.Endpoints = endpoints.GetChildren().SelectMany(c => EtcdSourceOptions.SplitEndpoints(c.Value)).ToList();
        }
        Text(section, nameof(options.Key), v => options.Key = v);
        Text(section, nameof(options.SourceName), v => options.SourceName = v);
        Text(section, nameof(options.Username), v => options.Username = v);
        Text(section, nameof(options.Password), v => options.Password = v);
        Text(section, nameof(options.CaCertificatePath), v => options.CaCertificatePath = v);
        Text(section, nameof(options.ClientCertificatePath), v => options.ClientCertificatePath = v);
        Text(section, nameof(options.ClientKeyPath), v => options.ClientKeyPath = v);
        Flag(section, path, nameof(options.Prefix), v => options.Prefix = v);
        Flag(section, path, nameof(options.ProgressNotify), v => options.ProgressNotify = v);
        Duration(section, path, nameof(options.ReconnectMinBackoff), v => options.ReconnectMinBackoff = v);
        Duration(section, path, nameof(options.ReconnectMaxBackoff), v => options.ReconnectMaxBackoff = v);
        Number(section, path, nameof(options.ReconnectJitter), v => options.ReconnectJitter = v);
        Number(section, path, nameof(options.MaxValueBytes), v => options.MaxValueBytes = (int)Math.Clamp(v, int.MinValue, int.MaxValue));
    }

    public static void Bind(IConfiguration? section, FleetOptions options)
    {
        if (section is null) return;
        var path = $"{MaintenanceOptions.SectionName}:{FleetOptions.SectionName}";
        Text(section, nameof(options.Service), v => options.Service = v);
        Text(section, nameof(options.InstanceId), v => options.InstanceId = v);
        Text(section, nameof(options.Version), v => options.Version = v);
        Text(section, nameof(options.Host), v => options.Host = v);
        Text(section, nameof(options.InstanceSourceName), v => options.InstanceSourceName = v);
        Flag(section, path, nameof(options.PublishStatus), v => options.PublishStatus = v);
        Duration(section, path, nameof(options.StatusTtl), v => options.StatusTtl = v);
        Duration(section, path, nameof(options.StatusInterval), v => options.StatusInterval = v);
    }

    public static void Bind(IConfiguration? section, FileSourceOptions options)
    {
        if (section is null) return;
        var path = $"{MaintenanceOptions.SectionName}:File";
        Text(section, nameof(options.Path), v => options.Path = v);
        Text(section, nameof(options.SourceName), v => options.SourceName = v);
        Duration(section, path, nameof(options.PollInterval), v => options.PollInterval = v);
        Flag(section, path, nameof(options.UseFileSystemWatcher), v => options.UseFileSystemWatcher = v);
    }

    public static void Bind(IConfiguration? section, WebhookSourceOptions options)
    {
        if (section is null) return;
        var path = $"{MaintenanceOptions.SectionName}:Webhook";
        Text(section, nameof(options.Secret), v => options.Secret = v);
        Text(section, nameof(options.SourceName), v => options.SourceName = v);
        Duration(section, path, nameof(options.Tolerance), v => options.Tolerance = v);
        Number(section, path, nameof(options.MaxBodyBytes), v => options.MaxBodyBytes = (int)Math.Clamp(v, int.MinValue, int.MaxValue));
    }

    private static void Text(IConfiguration section, string name, Action<string> set)
    {
        if (section[name] is { } value) set(value);
    }

    private static void Duration(IConfiguration section, string path, string name, Action<TimeSpan> set)
    {
        if (section[name] is not { } value) return;
        if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed))
        {
            throw new MaintenanceConfigurationException($"{path}:{name}", $"must be a duration such as 00:00:30, but was '{value}'");
        }
        set(parsed);
    }

    private static void Flag(IConfiguration section, string path, string name, Action<bool> set)
    {
        if (section[name] is not { } value) return;
        if (!bool.TryParse(value, out var parsed))
        {
            throw new MaintenanceConfigurationException($"{path}:{name}", $"must be true or false, but was '{value}'");
        }
        set(parsed);
    }

    private static void Number(IConfiguration section, string path, string name, Action<double> set)
    {
        if (section[name] is not { } value) return;
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            throw new MaintenanceConfigurationException($"{path}:{name}", $"must be a number, but was '{value}'");
        }
        set(parsed);
    }
}
