using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MaintenanceActors;

/// <summary>Why a webhook request was refused (or that it was accepted).</summary>
public enum WebhookVerdict
{
    /// <summary>Signature good, timestamp fresh, not seen before.</summary>
    Accepted,
    /// <summary>No signature or timestamp header.</summary>
    Missing,
    /// <summary>The timestamp is not a number of Unix seconds.</summary>
    BadTimestamp,
    /// <summary>The timestamp is outside the tolerance window.</summary>
    Expired,
    /// <summary>The signature does not match the body and timestamp.</summary>
    BadSignature,
    /// <summary>The same signed request was already accepted.</summary>
    Replayed,
    /// <summary>The body is larger than the configured limit.</summary>
    TooLarge,
    /// <summary>Signed correctly, but the body is not a valid maintenance value; the state is unchanged.</summary>
    Malformed,
}

/// <summary>Signs and verifies webhook requests: <c>sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))</c>.</summary>
public sealed class WebhookSignature
{
    /// <summary>Header carrying the Unix time in seconds at which the request was signed.</summary>
    public const string TimestampHeader = "X-Maintenance-Timestamp";

    /// <summary>Header carrying <c>sha256=</c> followed by the lower-case hex HMAC.</summary>
    public const string SignatureHeader = "X-Maintenance-Signature";

    private readonly byte[] _secret;
    private readonly TimeSpan _tolerance;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    // Signatures accepted within the tolerance window, with their timestamps, so a replay is refused.
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>Creates a verifier for <paramref name="secret"/> that accepts timestamps within <paramref name="tolerance"/> of now.</summary>
    public WebhookSignature(string secret, TimeSpan tolerance, TimeProvider? timeProvider = null)
    {
        _secret = Encoding.UTF8.GetBytes(secret);
        _tolerance = tolerance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The signature header value for <paramref name="body"/> signed at <paramref name="unixSeconds"/>.</summary>
    public string Sign(long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        var data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_secret, data));
    }

    /// <summary>Checks one request; a request is accepted at most once.</summary>
    public WebhookVerdict Verify(string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrWhiteSpace(timestamp) || string.IsNullOrWhiteSpace(signature))
        {
            return WebhookVerdict.Missing;
        }
        if (!long.TryParse(timestamp.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return WebhookVerdict.BadTimestamp;
        }
        var now = _time.GetUtcNow();
        DateTimeOffset signedAt;
        try
        {
            signedAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        catch (ArgumentOutOfRangeException)
        {
            return WebhookVerdict.BadTimestamp;
        }
        if ((now - signedAt).Duration() > _tolerance)
        {
            return WebhookVerdict.Expired;
        }
        var expected = Encoding.ASCII.GetBytes(Sign(seconds, body));
        var given = Encoding.ASCII.GetBytes(signature.Trim());
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return WebhookVerdict.BadSignature;
        }
        lock (_gate)
        {
            Prune(now);
            if (!_seen.TryAdd(signature.Trim(), signedAt))
            {
                return WebhookVerdict.Replayed;
            }
        }
        return WebhookVerdict.Accepted;
    }

    private void Prune(DateTimeOffset now)
    {
        // Entries older than the window can never be accepted again (they are Expired), so they can go.
        if (_seen.Count < 64)
        {
            return;
        }
        foreach (var (key, at) in _seen.ToArray())
        {
            if (now - at > _tolerance)
            {
                _seen.Remove(key);
            }
        }
    }
}
