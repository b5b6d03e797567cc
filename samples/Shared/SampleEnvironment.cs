using System.Globalization;
using MaintenanceActors;

namespace Samples;

/// <summary>
/// How the samples read their environment: an unset or empty variable means its default; a bad value, or a setting the
/// library refuses, stops the process with one line naming the variable the user set, and exit code 2.
/// </summary>
internal static class SampleEnvironment
{
    /// <summary>Exit code of a sample that cannot start because of its configuration.</summary>
    public const int ConfigurationError = 2;

    // Which environment variable fills which library setting, so an error names what the user actually set.
    private static readonly Dictionary<string, string> FieldToVariable = new(StringComparer.Ordinal);

    public static string Text(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

    /// <summary>Reads <paramref name="name"/> as a value for the library setting <paramref name="field"/>.</summary>
    public static string Text(string name, string fallback, string field)
    {
        FieldToVariable[field] = name;
        return Text(name, fallback);
    }

    public static int Port(string name, int fallback)
    {
        var text = Text(name, fallback.ToString(CultureInfo.InvariantCulture));
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new SampleConfigurationException($"{name} must be a TCP port number from 1 to 65535 (default {fallback}), not '{text}'.");
    }

    /// <summary>The address to listen on: loopback unless the variable says otherwise (e.g. 0.0.0.0 in a container).</summary>
    public static System.Net.IPAddress ListenAddress(string name = "LISTEN_ADDRESS")
    {
        var text = Text(name, "127.0.0.1");
        return System.Net.IPAddress.TryParse(text, out var address)
            ? address
            : throw new SampleConfigurationException($"{name} must be an IP address to listen on, such as 127.0.0.1 (default) or 0.0.0.0, not '{text}'.");
    }

    public static int Number(string name, int fallback, int min, int max)
    {
        var text = Text(name, fallback.ToString(CultureInfo.InvariantCulture));
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new SampleConfigurationException($"{name} must be a whole number from {min} to {max} (default {fallback}), not '{text}'.");
    }

    /// <summary>Runs the sample; a configuration error becomes one line on stderr and exit code 2, never a stack trace.</summary>
    public static int Run(Func<int> sample)
    {
        try
        {
            return sample();
        }
        catch (Exception ex) when (Describe(ex) is { } line)
        {
            Console.Error.WriteLine(line);
            return ConfigurationError;
        }
    }

    private static string? Describe(Exception ex) => ex switch
    {
        SampleConfigurationException sample => sample.Message,
        MaintenanceConfigurationException config when FieldToVariable.TryGetValue(config.Field, out var variable) =>
            $"{variable}: {config.Message[(config.Field.Length + 1)..]}",
        MaintenanceConfigurationException config => config.Message,
        Microsoft.Extensions.Options.OptionsValidationException options => options.Message,
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerException!),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Describe(inner),
        _ => null,
    };
}

/// <summary>A sample's own setting is invalid; the message names the environment variable.</summary>
internal sealed class SampleConfigurationException(string message) : Exception(message);
