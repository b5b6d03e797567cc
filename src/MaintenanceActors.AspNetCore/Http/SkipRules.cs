using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore.Http;

/// <summary>The skip paths of <see cref="HttpDrainOptions"/>, compiled once for the request path.</summary>
internal sealed class SkipRules
{
    private readonly FrozenSet<string> _exact;
    private readonly PathString[] _prefixes;
    private readonly Func<HttpContext, bool>? _predicate;

    public SkipRules(HttpDrainOptions options)
    {
        _exact = options.SkipPaths.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _prefixes = options.SkipPathPrefixes.Select(p => new PathString(p.TrimEnd('/'))).ToArray();
        _predicate = options.SkipWhen;
    }

    public bool IsMatch(HttpContext context)
    {
        var path = context.Request.Path;
        if (_exact.Count > 0 && path.Value is { } value && _exact.Contains(value))
        {
            return true;
        }

        foreach (var prefix in _prefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return _predicate is not null && _predicate(context);
    }
}
