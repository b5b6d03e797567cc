using FluentAssertions;
using MaintenanceActors.AspNetCore.Http;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.Http;

public sealed class RetryAfterSpec
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static MaintenanceRefusal Refusal(Action<HttpDrainOptions>? configure = null)
    {
        var options = new HttpDrainOptions();
        configure?.Invoke(options);
        options.Validate();
        return new MaintenanceRefusal(options, TimeProvider.System);
    }

    [Fact]
    public void Must_count_down_to_until_in_whole_seconds_rounded_up()
    {
        Refusal().RetryAfterSeconds(Now.AddSeconds(90.2), Now).Should().Be(91);
        Refusal().RetryAfterSeconds(Now.AddMilliseconds(10), Now).Should().Be(1);
    }

    [Fact]
    public void Must_cap_a_far_until_at_one_hour_by_default()
    {
        // An "until" in 2030 gave 97,313,307 s before the cap.
        Refusal().RetryAfterSeconds(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), Now).Should().Be(3600);
    }

    [Fact]
    public void Must_cap_at_the_configured_maximum_and_cap_the_default_too()
    {
        var refusal = Refusal(o =>
        {
            o.MaxRetryAfter = TimeSpan.FromMinutes(2);
            o.DefaultRetryAfter = TimeSpan.FromMinutes(5);
        });
        refusal.RetryAfterSeconds(Now.AddHours(3), Now).Should().Be(120);
        refusal.RetryAfterSeconds(null, Now).Should().Be(120);
    }

    [Fact]
    public void Must_use_the_default_when_until_is_unknown_or_past()
    {
        Refusal().RetryAfterSeconds(null, Now).Should().Be(30);
        Refusal().RetryAfterSeconds(Now.AddMinutes(-1), Now).Should().Be(30);
        Refusal(o => o.DefaultRetryAfter = null).RetryAfterSeconds(null, Now).Should().BeNull();
    }

    [Fact]
    public void Must_refuse_a_maximum_below_one_second_naming_the_field()
    {
        var act = () => Refusal(o => o.MaxRetryAfter = TimeSpan.FromMilliseconds(500));
        act.Should().Throw<MaintenanceConfigurationException>()
            .Which.Message.Should().Be("Maintenance:Http:MaxRetryAfter must be at least one second (e.g. 01:00:00), but was 00:00:00.5000000");
    }
}
