using FluentAssertions;
using Grpc.Core;
using MaintenanceActors.AspNetCore.Grpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.Grpc;

/// <summary>
/// The admitted stream's writer: the drain's end turns into UNAVAILABLE whether it lands between writes or during
/// one (Grpc.AspNetCore resets the stream when the token given to a running write fires, which the client reads as
/// CANCELLED). The inner writer here records what Grpc.AspNetCore's writer would be given; the end-to-end behaviour
/// is in <see cref="GrpcDrainActorSpec"/> against grpcio.
/// </summary>
public sealed class DrainAwareStreamWriterSpec
{
    [Fact]
    public async Task Must_let_a_write_running_when_the_token_fires_finish_without_resetting_the_stream()
    {
        var (writer, inner, lifetime) = Create();
        using var end = new CancellationTokenSource();

        var write = writer.WriteAsync("tick", end.Token);
        end.Cancel();
        inner.CompletePending();
        await write;

        inner.TokensSeen.Should().ContainSingle().Which.CanBeCanceled.Should().BeFalse("the framework resets the stream when a write's token fires");
        lifetime.Aborted.Should().BeFalse();
        await writer.Invoking(w => w.WriteAsync("next", end.Token)).Should().ThrowAsync<OperationCanceledException>();
        inner.TokensSeen.Should().HaveCount(1, "a write after the end is not started");
    }

    [Fact]
    public async Task Must_throw_before_writing_when_the_token_has_already_fired()
    {
        var (writer, inner, lifetime) = Create();

        await writer.Invoking(w => w.WriteAsync("tick", new CancellationToken(canceled: true))).Should().ThrowAsync<OperationCanceledException>();

        inner.TokensSeen.Should().BeEmpty();
        lifetime.Aborted.Should().BeFalse();
    }

    [Fact]
    public async Task Must_abort_the_request_when_a_write_is_still_blocked_by_a_client_that_does_not_read()
    {
        var (writer, inner, lifetime) = Create(writeGrace: TimeSpan.Zero);
        using var end = new CancellationTokenSource();

        var write = writer.WriteAsync("tick", end.Token);
        end.Cancel();

        await write.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
        lifetime.Aborted.Should().BeTrue("a write the client never takes would otherwise hold the call past the drain");
    }

    [Fact]
    public async Task Must_pass_writes_without_a_token_and_write_options_straight_through()
    {
        var (writer, inner, _) = Create();
        var options = new WriteOptions(WriteFlags.NoCompress);

        writer.WriteOptions = options;
        var write = writer.WriteAsync("tick");
        inner.CompletePending();
        await write;

        inner.WriteOptions.Should().BeSameAs(options);
        inner.Written.Should().Equal("tick");
    }

    private static (DrainAwareStreamWriter<string>, RecordingWriter, RecordingLifetime) Create(TimeSpan? writeGrace = null)
    {
        var inner = new RecordingWriter();
        var lifetime = new RecordingLifetime();
        var http = new DefaultHttpContext();
        http.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        return (new DrainAwareStreamWriter<string>(inner, http, writeGrace ?? TimeSpan.FromMinutes(5)), inner, lifetime);
    }

    /// <summary>Holds every write open until the test completes it, like a write waiting for the transport.</summary>
    private sealed class RecordingWriter : IServerStreamWriter<string>
    {
        private TaskCompletionSource? _pending;

        public List<CancellationToken> TokensSeen { get; } = new();

        public List<string> Written { get; } = new();

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(string message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(string message, CancellationToken cancellationToken)
        {
            TokensSeen.Add(cancellationToken);
            Written.Add(message);
            _pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _pending.Task;
        }

        public void CompletePending() => _pending!.SetResult();
    }

    private sealed class RecordingLifetime : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted { get; set; }

        public bool Aborted { get; private set; }

        public void Abort() => Aborted = true;
    }
}
