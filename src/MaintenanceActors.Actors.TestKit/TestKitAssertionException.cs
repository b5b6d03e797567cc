namespace MaintenanceActors.Actors.TestKit;

/// <summary>A TestKit expectation was not met (wrong, missing or unexpected message).</summary>
public sealed class TestKitAssertionException(string message) : Exception(message);
