using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace MaintenanceActors.EntityFrameworkCore;

/// <summary>
/// ADO.NET's (and Dapper's) way through the <see cref="DbConnectionGate"/>: a <see cref="DbDataSource"/> whose connections
/// are admitted when opened and given back when closed or disposed. Commands and batches created on the data source
/// itself open their connection through the same path.
/// </summary>
internal sealed class GatedDbDataSource(DbDataSource inner, DbConnectionGate gate) : DbDataSource
{
    public DbDataSource Inner => inner;

    public override string ConnectionString => inner.ConnectionString;

    protected override DbConnection CreateDbConnection() => new GatedDbConnection(inner.CreateConnection(), gate);
}

/// <summary>A connection that passes the gate on open; everything else is the inner connection's.</summary>
internal sealed class GatedDbConnection(DbConnection inner, DbConnectionGate gate) : DbConnection
{
    private int _admitted;

    public DbConnection Inner => inner;

    [AllowNull]
    public override string ConnectionString
    {
        get => inner.ConnectionString;
        set => inner.ConnectionString = value;
    }

    public override string Database => inner.Database;

    public override string DataSource => inner.DataSource;

    public override string ServerVersion => inner.ServerVersion;

    public override ConnectionState State => inner.State;

    public override int ConnectionTimeout => inner.ConnectionTimeout;

    public override void ChangeDatabase(string databaseName) => inner.ChangeDatabase(databaseName);

    public override void Open()
    {
        if (inner.State != ConnectionState.Closed)
        {
            inner.Open(); // already open: the provider's own error, and no second admission
            return;
        }
        gate.Enter();
        Admitted();
        try
        {
            inner.Open();
        }
        catch
        {
            Release();
            throw;
        }
    }

    public override async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (inner.State != ConnectionState.Closed)
        {
            await inner.OpenAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        Admitted();
        try
        {
            await inner.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Release();
            throw;
        }
    }

    public override void Close()
    {
        inner.Close();
        Release();
    }

    public override async Task CloseAsync()
    {
        await inner.CloseAsync().ConfigureAwait(false);
        Release();
    }

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => inner.BeginTransaction(isolationLevel);

    protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken) =>
        await inner.BeginTransactionAsync(isolationLevel, cancellationToken).ConfigureAwait(false);

    protected override DbCommand CreateDbCommand()
    {
        // The command runs on the inner connection; its Connection property is the inner one, as Npgsql requires.
        return inner.CreateCommand();
    }

    public override DataTable GetSchema() => inner.GetSchema();

    public override DataTable GetSchema(string collectionName) => inner.GetSchema(collectionName);

    public override DataTable GetSchema(string collectionName, string?[] restrictionValues) => inner.GetSchema(collectionName, restrictionValues);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            Release();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        Release();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Admitted() => Volatile.Write(ref _admitted, 1);

    private void Release()
    {
        if (Interlocked.Exchange(ref _admitted, 0) == 1)
        {
            gate.Exit();
        }
    }
}
