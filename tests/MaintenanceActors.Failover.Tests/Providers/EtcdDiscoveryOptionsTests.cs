using MaintenanceActors.Failover.Http;
using MaintenanceActors.Failover.Providers;

namespace MaintenanceActors.Failover.Tests.Providers;

public sealed class EtcdDiscoveryOptionsTests
{
    [Theory]
    [InlineData("", "Failover:Etcd:ServicesPrefix")]
    [InlineData("/services", "Failover:Etcd:ServicesPrefix")]
    public void Must_refuse_a_prefix_that_does_not_end_in_a_slash(string prefix, string field)
    {
        var act = () => new EtcdDiscoveryOptions { Endpoints = ["127.0.0.1:2379"], ServicesPrefix = prefix }.Validate();
        act.Should().Throw<MaintenanceConfigurationException>().WithMessage($"{field}*");
    }

    [Fact]
    public void Must_refuse_missing_endpoints_and_service_names_with_a_slash()
    {
        var noEndpoint = () => new EtcdDiscoveryOptions().Validate();
        noEndpoint.Should().Throw<MaintenanceConfigurationException>().WithMessage("Failover:Etcd:Endpoints*");
        var slash = () => new EtcdDiscoveryOptions { Endpoints = ["127.0.0.1:2379"], Services = ["a/b"] }.Validate();
        slash.Should().Throw<MaintenanceConfigurationException>().WithMessage("Failover:Etcd:Services*");
    }

    [Fact]
    public void Must_read_back_what_it_writes_and_refuse_what_is_not_a_registration()
    {
        var written = new InstanceRegistration("10.0.0.5", 8443) { Protocol = "https", Weight = 3, Priority = 1, Region = "eu", Tags = ["blue"],
            Metadata = new Dictionary<string, string> { ["version"] = "2" } };
        InstanceRegistration.TryParse(System.Text.Encoding.UTF8.GetBytes(written.ToJson()), out var read, out _).Should().BeTrue();
        read.Should().BeEquivalentTo(written);

        InstanceRegistration.TryParse("{\"address\":\"x\",\"port\":0}"u8, out _, out var problem).Should().BeFalse();
        problem.Should().Contain("port");
        InstanceRegistration.TryParse("{\"port\":80}"u8, out _, out problem).Should().BeFalse();
        problem.Should().Contain("address");
        InstanceRegistration.TryParse("nope"u8, out _, out problem).Should().BeFalse();
        problem.Should().Contain("JSON");
    }

    [Theory]
    [InlineData("users-service", true)]
    [InlineData("localhost", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("api.example.org", false)]
    public void Must_take_only_dotless_non_local_hosts_as_service_names_by_default(string host, bool service) =>
        new FailoverHttpOptions().IsService(host).Should().Be(service);
}
