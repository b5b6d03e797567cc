using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MaintenanceActors.EntityFrameworkCore;

/// <summary>EF Core's way through the <see cref="DbConnectionGate"/>: every connection EF opens is admitted and counted.</summary>
internal sealed class DbGateInterceptor(DbConnectionGate gate) : DbConnectionInterceptor
{
    // Keyed by connection so a close followed by a dispose (or a failed open) gives a connection back exactly once.
    private readonly ConcurrentDictionary<DbConnection, byte> _admitted = new(ReferenceEqualityComparer.Instance);

    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        gate.Enter();
        Track(connection);
        return result;
    }

    public override async ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        Track(connection);
        return result;
    }

    public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public override Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    public override void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Release(connection);

    public override Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    public override void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public override Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    private void Track(DbConnection connection)
    {
        if (!_admitted.TryAdd(connection, 0))
        {
            // EF opened a connection it still held as open: keep one admission for it.
            gate.Exit();
        }
    }

    private void Release(DbConnection connection)
    {
        if (_admitted.TryRemove(connection, out _))
        {
            gate.Exit();
        }
    }
}
