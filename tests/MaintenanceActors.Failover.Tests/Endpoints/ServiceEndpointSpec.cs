namespace MaintenanceActors.Failover.Tests.Endpoints;

public sealed class ServiceEndpointSpec
{
    [Fact]
    public void Must_accept_a_complete_endpoint()
    {
        new ServiceEndpoint("users/a", "users", "127.0.0.1", 5080).Validate().Should().BeNull();
    }

    [Theory]
    [InlineData("", "users", "127.0.0.1", 5080, "http", "Id")]
    [InlineData("users/a", "", "127.0.0.1", 5080, "http", "Name")]
    [InlineData("users/a", "users", "", 5080, "http", "Address")]
    [InlineData("users/a", "users", "127.0.0.1", 0, "http", "Port")]
    [InlineData("users/a", "users", "127.0.0.1", 5080, "ftp", "Protocol")]
    public void Must_name_the_invalid_field(string id, string name, string address, int port, string protocol, string field)
    {
        new ServiceEndpoint(id, name, address, port) { Protocol = protocol }.Validate().Should().Contain(field);
    }

    [Fact]
    public void Must_reject_options_naming_the_setting()
    {
        (new FailoverOptions { CircuitBreaker = new() { FailureThreshold = 0 } }).Validate()
            .Should().Be("Failover:CircuitBreaker:FailureThreshold must be at least 1");
        (new FailoverOptions { Retry = new() { MaxRetries = -1 } }).Validate().Should().StartWith("Failover:Retry:MaxRetries");
        new FailoverOptions().Validate().Should().BeNull();
    }
}
