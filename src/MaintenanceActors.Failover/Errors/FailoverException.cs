namespace MaintenanceActors.Failover;

/// <summary>What kind of failover error happened.</summary>
public enum FailoverErrorKind
{
    Connection,
    Validation,
    NotFound,
    Timeout,
    CircuitOpen,
    Internal,
}

/// <summary>A failover error; the subclass (and <see cref="Kind"/>) says which.</summary>
public abstract class FailoverException : Exception
{
    protected FailoverException(string message, Exception? inner = null, string? endpointId = null)
        : base(message, inner)
    {
        EndpointId = endpointId;
    }

    public abstract FailoverErrorKind Kind { get; }

    /// <summary>The endpoint of the last attempt, when there was one.</summary>
    public string? EndpointId { get; }
}

/// <summary>The call failed on every endpoint tried (the inner exception is the last attempt's, if it threw).</summary>
public sealed class FailoverConnectionException(string message, Exception? inner = null, string? endpointId = null)
    : FailoverException(message, inner, endpointId)
{
    public override FailoverErrorKind Kind => FailoverErrorKind.Connection;
}

/// <summary>A request, an endpoint or settings were invalid; the message names the field.</summary>
public sealed class FailoverValidationException(string message) : FailoverException(message)
{
    public override FailoverErrorKind Kind => FailoverErrorKind.Validation;
}

/// <summary>No selectable endpoint (unknown service, or every endpoint unhealthy, open-circuited or in maintenance).</summary>
public sealed class FailoverNotFoundException(string message) : FailoverException(message)
{
    public override FailoverErrorKind Kind => FailoverErrorKind.NotFound;
}

/// <summary>The call's deadline passed.</summary>
public sealed class FailoverTimeoutException(string message, Exception? inner = null, string? endpointId = null)
    : FailoverException(message, inner, endpointId)
{
    public override FailoverErrorKind Kind => FailoverErrorKind.Timeout;
}

/// <summary>Every endpoint left had its circuit open.</summary>
public sealed class FailoverCircuitOpenException(string message, string? endpointId = null) : FailoverException(message, null, endpointId)
{
    public override FailoverErrorKind Kind => FailoverErrorKind.CircuitOpen;
}

/// <summary>A fault of the failover machinery itself (e.g. the registry did not answer).</summary>
public sealed class FailoverInternalException(string message, Exception? inner = null) : FailoverException(message, inner)
{
    public override FailoverErrorKind Kind => FailoverErrorKind.Internal;
}
