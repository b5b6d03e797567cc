namespace MaintenanceActors.Actors;

internal static class ActorNames
{
    private const string AllowedSpecial = "-_.*$+:@&=,!~';";

    public static void Validate(string name, ActorPath parent)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidActorNameException(
                $"Actor name under {parent} must not be empty; pass null to get a generated name.");
        }

        if (name[0] == '$')
        {
            throw new InvalidActorNameException(
                $"Actor name '{name}' under {parent} must not start with '$' (reserved for generated names).");
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !AllowedSpecial.Contains(c))
            {
                throw new InvalidActorNameException(
                    $"Actor name '{name}' under {parent} contains '{c}'; use ASCII letters, digits and {AllowedSpecial}");
            }
        }
    }

    public static string Generated(long number)
    {
        // Akka-like short generated names: $a, $b, ..., $ba ...
        const string digits = "abcdefghijklmnopqrstuvwxyz";
        Span<char> buffer = stackalloc char[16];
        var pos = buffer.Length;
        do
        {
            buffer[--pos] = digits[(int)(number % digits.Length)];
            number /= digits.Length;
        }
        while (number > 0);
        buffer[--pos] = '$';
        return new string(buffer[pos..]);
    }
}
