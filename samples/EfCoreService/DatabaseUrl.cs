using Npgsql;

namespace Samples;

/// <summary>Which database DATABASE_URL names: PostgreSQL (as an Npgsql connection string) or an embedded SQLite file (both users-API samples).</summary>
internal sealed record DatabaseTarget(bool IsSqlite, string ConnectionString)
{
    /// <summary>The reference service's default: a PostgreSQL on localhost.</summary>
    public const string Default = "host=localhost user=postgres password=postgres dbname=testdb port=5432 sslmode=disable";

    /// <summary>
    /// Reads a <c>postgres://user:password@host:port/db?sslmode=disable</c> URL, the libpq <c>host=… user=… dbname=…</c> form,
    /// an Npgsql connection string, or <c>sqlite:path</c> (SQLite, no server needed).
    /// </summary>
    public static DatabaseTarget Parse(string variable, string text)
    {
        try
        {
            if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
            {
                var path = text["sqlite:".Length..];
                return new(true, $"Data Source={(path.Length > 0 ? path : "users.db")}");
            }
            if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            {
                return new(false, FromUrl(new Uri(text)));
            }
            if (!text.Contains(';') && text.Contains('='))
            {
                return new(false, FromKeyValues(text));
            }
            return new(false, new NpgsqlConnectionStringBuilder(text).ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or FormatException or KeyNotFoundException)
        {
            throw new SampleConfigurationException(
                $"{variable} must be a postgres:// URL, a libpq 'host=… user=… dbname=…' string, an Npgsql connection string or sqlite:<file> ({ex.Message})");
        }
    }

    private static string FromUrl(Uri url)
    {
        var builder = new NpgsqlConnectionStringBuilder { Host = url.Host, Port = url.IsDefaultPort || url.Port < 0 ? 5432 : url.Port };
        var database = url.AbsolutePath.Trim('/');
        if (database.Length > 0)
        {
            builder.Database = Uri.UnescapeDataString(database);
        }
        if (url.UserInfo.Split(':', 2) is [var user, .. var rest] && user.Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(user);
            if (rest is [var password])
            {
                builder.Password = Uri.UnescapeDataString(password);
            }
        }
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = Split(pair, '=');
            Apply(builder, key, Uri.UnescapeDataString(value));
        }
        return builder.ConnectionString;
    }

    private static string FromKeyValues(string text)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        foreach (var pair in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (key, value) = Split(pair, '=');
            Apply(builder, key, value);
        }
        return builder.ConnectionString;
    }

    private static void Apply(NpgsqlConnectionStringBuilder builder, string key, string value)
    {
        switch (key.ToLowerInvariant())
        {
            case "host": builder.Host = value; break;
            case "port": builder.Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "user": builder.Username = value; break;
            case "password": builder.Password = value; break;
            case "dbname": builder.Database = value; break;
            case "sslmode": builder.SslMode = ParseSslMode(value); break;
            case "application_name": builder.ApplicationName = value; break;
            case "connect_timeout": builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: throw new ArgumentException($"'{key}' is not a supported setting");
        }
    }

    private static SslMode ParseSslMode(string value) => value.ToLowerInvariant() switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw new ArgumentException($"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
    };

    private static (string Key, string Value) Split(string pair, char separator)
    {
        var at = pair.IndexOf(separator);
        return at > 0 ? (pair[..at], pair[(at + 1)..]) : throw new ArgumentException($"'{pair}' is not key{separator}value");
    }
}
