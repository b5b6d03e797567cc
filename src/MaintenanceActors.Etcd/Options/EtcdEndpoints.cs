namespace MaintenanceActors.Etcd;

/// <summary>Turns etcdctl-style endpoint strings into base URIs.</summary>
internal static class EtcdEndpoints
{
    public static bool TryNormalize(string endpoint, bool defaultToTls, out Uri uri, out string problem)
    {
        uri = null!;
        problem = "";
        var text = endpoint.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
            text = (defaultToTls ? "https://" : "http://") + text;
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
        uri = new Uri($"{parsed.Scheme}://{parsed.Authority}/");
        return true;
    }
}
