namespace MaintenanceActors.Etcd.Tests.Connection;

public sealed class EtcdClientOptionsSpec
{
    [Fact]
    public void Must_accept_endpoints_the_way_etcdctl_does()
    {
        var options = new EtcdClientOptions { Endpoints = EtcdClientOptions.ParseEndpoints(" 127.0.0.1:2379, http://10.0.0.2:2379 ,https://etcd:2379") };

        options.Validate();

        options.GetEndpointUris().Should().Equal(
            new Uri("http://127.0.0.1:2379/"), new Uri("http://10.0.0.2:2379/"), new Uri("https://etcd:2379/"));
    }

    [Fact]
    public void Must_name_the_endpoints_field_when_none_is_given()
    {
        var validate = () => new EtcdClientOptions().Validate();

        validate.Should().Throw<ArgumentException>().WithMessage("EtcdClientOptions.Endpoints must name at least one endpoint*")
            .Which.ParamName.Should().Be("Endpoints");
    }

    [Theory]
    [InlineData("ftp://host:21", "Endpoints")]
    [InlineData("http://", "Endpoints")]
    public void Must_reject_an_invalid_endpoint(string endpoint, string field)
    {
        var validate = () => new EtcdClientOptions { Endpoints = [endpoint] }.Validate();

        validate.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(field);
    }

    [Fact]
    public void Must_require_username_and_password_together()
    {
        var validate = () => new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"], Username = "root" }.Validate();

        validate.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("Password");
    }

    [Fact]
    public void Must_require_the_client_key_with_the_client_certificate_and_existing_files()
    {
        var missingKey = () => new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"], ClientCertificatePath = "/tmp/x.pem" }.Validate();
        var missingFile = () => new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"], CaCertificatePath = "/nonexistent/ca.pem" }.Validate();

        missingKey.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("ClientKeyPath");
        missingFile.Should().Throw<ArgumentException>().WithMessage("*does not exist*").Which.ParamName.Should().Be("CaCertificatePath");
    }

    [Fact]
    public void Must_reject_a_non_positive_timeout_and_message_size()
    {
        var timeout = () => new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"], RequestTimeout = TimeSpan.Zero }.Validate();
        var size = () => new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"], MaxMessageSize = 0 }.Validate();

        timeout.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("RequestTimeout");
        size.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("MaxMessageSize");
    }

    [Theory]
    [InlineData("a", "b")]
    [InlineData("a\u00ff", "b")]
    [InlineData("/x/", "/x0")]
    public void Must_compute_the_range_end_of_a_prefix(string prefix, string expectedEnd)
    {
        EtcdKeys.PrefixEnd(Google.Protobuf.ByteString.CopyFrom(System.Text.Encoding.Latin1.GetBytes(prefix)))
            .ToByteArray().Should().Equal(System.Text.Encoding.Latin1.GetBytes(expectedEnd));
    }
}
