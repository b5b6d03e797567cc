namespace MaintenanceActors.Etcd;

/// <summary>Reads etcd endpoints the way etcdctl takes them (<c>127.0.0.1:2379</c>, <c>[::1]:2379</c>, <c>http://host:2379</c>) into base URIs.</summary>
internal static class EtcdEndpoints
{
    /// <summary>Splits a comma-separated endpoint list ("127.0.0.1:2379,http://10.0.0.2:2379") into trimmed entries; empty entries are dropped.</summary>
    public static List<string> Split(string? endpoints) =>
        endpoints is null ? new List<string>() : endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>
    /// Reads one endpoint: without a scheme it is https when <paramref name="defaultToTls"/> (a CA or client certificate is configured),
    /// http otherwise, and the port is required. On failure <paramref name="problem"/> says what is wrong and what to write instead.
    /// </summary>
    public static bool TryNormalize(string endpoint, bool defaultToTls, out Uri uri, out string problem)
    {
        uri = null!;
        problem = "";
        var text = endpoint.Trim();
        var schemeless = !text.Contains("://", StringComparison.Ordinal);
        if (schemeless && text.IndexOf(':') != text.LastIndexOf(':') && !text.StartsWith('[') && !text.Contains('@'))
        {
            problem = "write an IPv6 address in brackets, e.g. [::1]:2379";
            return false;
        }
        if (schemeless)
        {
            text = (defaultToTls ? "https://" : "http://") + text;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed))
        {
            problem = "expected host:port or http(s)://host:port";
            return false;
        }
        if (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
        {
            problem = $"scheme '{parsed.Scheme}' is not supported; use http or https";
            return false;
        }
        if (string.IsNullOrEmpty(parsed.Host))
        {
            problem = "has no host";
            return false;
        }

        // Each of these would otherwise be dropped without a word: etcd serves gRPC at the root of host:port.
        if (parsed.AbsolutePath != "/")
        {
            problem = $"has a path '{parsed.AbsolutePath}', but etcd's API is served at the root; give only scheme://host:port";
            return false;
        }
        if (parsed.Query.Length > 0 || parsed.Fragment.Length > 0)
        {
            problem = "has a query or fragment; give only scheme://host:port";
            return false;
        }
        if (parsed.UserInfo.Length > 0)
        {
            problem = "carries a user name or password; set Username and Password instead";
            return false;
        }

        // Without a scheme the port would silently become 80/443; etcd's client port is 2379.
        if (schemeless && !HasExplicitPort(endpoint.Trim()))
        {
            problem = "has no port; write host:port, e.g. 127.0.0.1:2379 (etcd's default client port)";
            return false;
        }
        uri = new Uri($"{parsed.Scheme}://{parsed.Authority}/");
        return true;
    }

    private static bool HasExplicitPort(string hostAndPort)
    {
        var hostEnd = hostAndPort.StartsWith('[') ? hostAndPort.IndexOf(']') : -1;
        var colon = hostAndPort.IndexOf(':', hostEnd + 1);
        return colon >= 0 && colon < hostAndPort.Length - 1;
    }
}
