using System.Text;

namespace MaintenanceActors.Grpc;

/// <summary>Encodes and decodes the <c>grpc-message</c> header value (percent-encoded UTF-8, as the gRPC HTTP/2 spec requires).</summary>
public static class GrpcStatusMessage
{
    /// <summary>Percent-encodes a status message so it can travel in the <c>grpc-message</c> header or trailer.</summary>
    public static string Encode(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            // The spec allows printable ASCII except '%' to pass through unencoded.
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
                sb.Append((char)b);
            else
                sb.Append('%').Append(b.ToString("X2"));
        }
        return sb.ToString();
    }

    /// <summary>Decodes a percent-encoded <c>grpc-message</c>; malformed escapes are kept as they are rather than failing.</summary>
    public static string Decode(string encoded)
    {
        if (!encoded.Contains('%'))
            return encoded;
        var bytes = new List<byte>(encoded.Length);
        var i = 0;
        while (i < encoded.Length)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length && Uri.IsHexDigit(encoded[i + 1]) && Uri.IsHexDigit(encoded[i + 2]))
            {
                bytes.Add(Convert.ToByte(encoded.Substring(i + 1, 2), 16));
                i += 3;
                continue;
            }
            // Copy the run up to the next '%' at once, so characters outside the BMP stay whole.
            var next = encoded.IndexOf('%', i + 1);
            var end = next < 0 ? encoded.Length : next;
            bytes.AddRange(Encoding.UTF8.GetBytes(encoded[i..end]));
            i = end;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
