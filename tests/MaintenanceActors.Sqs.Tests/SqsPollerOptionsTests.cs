using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors.Sqs.Tests;

public sealed class SqsPollerOptionsTests
{
    private const string Queue = "http://127.0.0.1:4566/000000000000/orders";

    [Fact]
    public void Defaults_are_valid_once_a_queue_is_given() => new SqsPollerOptions { QueueUrl = Queue }.Validate();

    [Theory]
    [InlineData("QueueUrl", "")]
    [InlineData("QueueUrl", "orders")]
    [InlineData("QueueUrl", "ftp://host/000000000000/orders")]
    [InlineData("Pollers", 0)]
    [InlineData("Pollers", 65)]
    [InlineData("BatchSize", 0)]
    [InlineData("BatchSize", 11)]
    [InlineData("WaitTime", 21.0)]
    [InlineData("WaitTime", -1.0)]
    [InlineData("WaitTime", 0.5)]
    [InlineData("VisibilityTimeout", 0.0)]
    [InlineData("VisibilityTimeout", 43201.0)]
    [InlineData("HeartbeatInterval", 0.0)]
    [InlineData("HeartbeatInterval", 30.0)]
    [InlineData("FailureBackoff", -1.0)]
    [InlineData("ReceiveErrorBackoff", 0.0)]
    [InlineData("HealthCheckInterval", 0.0)]
    [InlineData("ResourceName", " ")]
    [InlineData("DrainTimeout", 0.0)]
    public void A_bad_value_fails_naming_the_field(string field, object value)
    {
        var options = new SqsPollerOptions { QueueUrl = Queue };
        var property = typeof(SqsPollerOptions).GetProperty(field)!;
        property.SetValue(options, value is double seconds ? TimeSpan.FromSeconds(seconds) : value);

        var error = Assert.Throws<MaintenanceConfigurationException>(() => options.Validate());

        error.Field.Should().Be($"Maintenance:Sqs:{field}");
        error.Message.Should().StartWith($"Maintenance:Sqs:{field} must");
    }

    [Fact]
    public void AddSqsPoller_fails_at_registration_naming_the_field()
    {
        var services = new ServiceCollection();

        var act = () => services.AddMaintenance(m => m.AddSqsPoller<NoOpProcessor>(o => o.QueueUrl = "orders"));

        act.Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be("Maintenance:Sqs:QueueUrl");
    }

    private sealed class NoOpProcessor : ISqsMessageProcessor
    {
        public Task ProcessAsync(Amazon.SQS.Model.Message message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
