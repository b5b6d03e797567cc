namespace MaintenanceActors;

/// <summary>Resource and source names become actor names: keep them to letters, digits and - _ .</summary>
internal static class ResourceNames
{
    public static void Check(string name, string section)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new MaintenanceConfigurationException($"{section}:{name}",
                "is not a valid name; use letters, digits, '-', '_' or '.' (e.g. http-api)");
        }
    }
}
