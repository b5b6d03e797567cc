using System.Net;
using System.Net.Sockets;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Fixtures;

public sealed class EtcdServerSpec
{
    [Fact]
    public async Task Must_start_on_fresh_ports_when_its_client_port_was_taken_before_etcd_bound_it()
    {
        await using var server = new EtcdServer();
        var taken = server.ClientPort;
        using var squatter = new TcpListener(IPAddress.Loopback, taken);
        squatter.Start();

        await ((IAsyncLifetime)server).InitializeAsync();

        server.ClientPort.Should().NotBe(taken);
        await using var client = server.CreateClient();
        await client.PutAsync("/fixture/started", "yes");
    }
}
