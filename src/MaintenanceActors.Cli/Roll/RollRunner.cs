using System.Collections.Concurrent;
using System.Diagnostics;
using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Fleet;
using MaintenanceActors.Cli.Output;

namespace MaintenanceActors.Cli.Roll;

/// <summary>
/// Rolls maintenance through a service's instances without holding more than the budget out at once. Each step: take a slot
/// (transaction, see <see cref="RollBudget"/>) and write the instance's key with an <c>until</c>; wait until the instance reports its
/// drain over (drained, or timed out at its deadline); run <c>--exec</c> or <c>--wait</c>; clear the key; wait until it reports serving
/// again; free the slot. Up to the budget's size of steps run at once. Slots live on the roll's lease and every key written carries an
/// <c>until</c> (renewed while a step takes longer), so a killed maintctl leaves nothing out of service beyond <c>--hold</c>.
/// </summary>
internal sealed class RollRunner(FleetEtcd etcd, RollOptions options, RollReporter reporter, TimeProvider time)
{
    private readonly string _service = options.Service;
    private readonly ConcurrentDictionary<string, bool> _holding = new(StringComparer.Ordinal);
    private string? _failure;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        await using var mirror = await FleetMirror.StartAsync(etcd, _service, ct).ConfigureAwait(false);
        var view = mirror.View();
        if (view.ServiceKey?.IsOnAt(time.GetUtcNow()) == true)
        {
            throw new CommandFailedException(
                $"service-wide maintenance is on for {_service} ({view.ServiceKey.Reason ?? "no reason"}); every instance is already out: disable it first (maintctl disable {_service})");
        }
        var reporting = view.Instances.Where(i => i.Status is not null).Select(i => i.Id).ToList();
        var targets = options.Instances?.ToList() ?? reporting;
        var silent = targets.Where(t => !reporting.Contains(t)).ToArray();
        if (silent.Length > 0)
        {
            throw new CommandFailedException($"{string.Join(", ", silent)} of {_service} publish no status under {FleetKeys.StatusOf(_service)}; the roll cannot see them drain");
        }
        if (targets.Count == 0)
        {
            throw new CommandFailedException($"no instance of {_service} publishes status under {FleetKeys.StatusOf(_service)}; nothing to roll");
        }
        var limit = options.MaxUnavailable.For(reporting.Count);
        reporter.Report(new RollEvent("start", null,
            $"rolling {targets.Count} instance(s) of {_service}, at most {limit} unavailable (--max-unavailable {options.MaxUnavailable}, fleet of {reporting.Count})"));

        var lease = await etcd.GrantLeaseAsync(options.LeaseTtl, ct).ConfigureAwait(false);
        using var rollStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var keepAlive = KeepAliveAsync(lease, rollStop);
        var budget = new RollBudget(etcd, _service, lease);
        var queue = new ConcurrentQueue<string>(targets);
        var workers = Enumerable.Range(0, Math.Min(limit, targets.Count))
            .Select(_ => WorkAsync(queue, budget, mirror, limit, lease, rollStop.Token)).ToArray();
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (rollStop.IsCancellationRequested)
        {
        }
        finally
        {
            await rollStop.CancelAsync().ConfigureAwait(false);
            await CleanUpAsync(lease).ConfigureAwait(false);
            try
            {
                await keepAlive.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or EtcdUnavailableException)
            {
            }
        }
        if (ct.IsCancellationRequested)
        {
            reporter.Report(new RollEvent("interrupted", null, "interrupted: cleared the instances this roll held and freed its slots"));
            return ExitCodes.Interrupted;
        }
        if (_failure is not null)
        {
            throw new CommandFailedException(_failure);
        }
        reporter.Report(new RollEvent("done", null, $"rolled {targets.Count} instance(s) of {_service} in {Durations.Format(started.Elapsed)}",
            DurationMs: started.ElapsedMilliseconds));
        return ExitCodes.Ok;
    }

    private async Task KeepAliveAsync(long lease, CancellationTokenSource rollStop)
    {
        try
        {
            await etcd.KeepAliveAsync(lease, options.LeaseTtl, rollStop.Token).ConfigureAwait(false);
        }
        catch (EtcdUnavailableException ex) when (!rollStop.IsCancellationRequested)
        {
            // Without the lease the budget no longer holds: stop at once.
            Fail($"lost the roll's lease, so its slots no longer count: {ex.Message}");
            await rollStop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task WorkAsync(ConcurrentQueue<string> queue, RollBudget budget, FleetMirror mirror, int limit, long lease, CancellationToken ct)
    {
        while (_failure is null && !ct.IsCancellationRequested && queue.TryDequeue(out var instance))
        {
            try
            {
                await StepAsync(instance, budget, mirror, limit, lease, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or CommandFailedException or EtcdUnavailableException)
            {
                Fail($"{instance}: {ex.Message}");
                reporter.Report(new RollEvent("failed", instance, ex.Message));
                return;
            }
        }
    }

    private async Task StepAsync(string instance, RollBudget budget, FleetMirror mirror, int limit, long lease, CancellationToken ct)
    {
        var step = Stopwatch.StartNew();
        var own = mirror.View().Instances.FirstOrDefault(i => i.Id == instance)?.Key;
        if (own is not null && own.IsOnAt(time.GetUtcNow()))
        {
            // Someone holds this instance out on purpose: the roll neither overrides nor clears that.
            reporter.Report(new RollEvent("skipped", instance,
                $"skipped: already in maintenance by its own key ({own.Reason ?? "no reason"}, by {own.By ?? "?"}{(own.Until is { } u ? $", until {Durations.Time(u)}" : "")})"));
            return;
        }
        var takenAt = await TakeSlotAsync(instance, budget, mirror, limit, lease, ct).ConfigureAwait(false);
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewing = RenewAsync(instance, renewal.Token);
        try
        {
            var drained = await WaitAsync(mirror, instance, takenAt, s => s.IsDrainOver, options.DrainTimeout, "its drain", ct).ConfigureAwait(false);
            reporter.Report(new RollEvent(drained.Phase == InstanceStatus.TimedOut ? "timed-out" : "drained", instance,
                $"{drained.Phase} in {(drained.DrainDurationMs is { } ms ? Durations.Format(TimeSpan.FromMilliseconds(ms)) : "?")}" +
                (drained.Outcomes.Length > 0 ? $" ({drained.Outcomes})" : "") + (drained.InFlight is > 0 ? $", {drained.InFlight} still in flight" : ""),
                DurationMs: drained.DrainDurationMs));
            await RunStepActionAsync(instance, drained, ct).ConfigureAwait(false);
        }
        finally
        {
            await renewal.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
        }
        var clearedAt = await etcd.PutAsync(FleetKeys.Instance(_service, instance),
            MaintenanceValueParser.Format(false, new MaintenanceInfo($"{options.Reason} (done)", options.By)), ct).ConfigureAwait(false);
        _holding.TryRemove(instance, out _);
        await WaitAsync(mirror, instance, clearedAt, s => s.IsAvailable, options.ResumeTimeout, "serving again", ct).ConfigureAwait(false);
        await budget.ReleaseAsync(instance, ct).ConfigureAwait(false);
        reporter.Report(new RollEvent("serving", instance, $"serving again; step took {Durations.Format(step.Elapsed)}", DurationMs: step.ElapsedMilliseconds));
    }

    private async Task<long> TakeSlotAsync(string instance, RollBudget budget, FleetMirror mirror, int limit, long lease, CancellationToken ct)
    {
        var giveUpAt = time.GetUtcNow() + options.SlotTimeout;
        var slotValue = $"{{\"by\":{System.Text.Json.JsonSerializer.Serialize(options.By)},\"lease\":\"{lease:x}\",\"since\":\"{Durations.Time(time.GetUtcNow())}\"}}";
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var changed = mirror.NextChange();
            _holding[instance] = true;
            var (outcome, revision, inUse) = await budget.TryTakeAsync(instance, limit, slotValue, OnValue(), ct).ConfigureAwait(false);
            if (outcome == SlotOutcome.Taken)
            {
                reporter.Report(new RollEvent("taken", instance, $"in maintenance until {Durations.Time(time.GetUtcNow() + options.Hold)} ({inUse}/{limit} slots in use)",
                    revision, inUse));
                return revision;
            }
            _holding.TryRemove(instance, out _);
            if (outcome == SlotOutcome.Raced)
            {
                continue;
            }
            var left = giveUpAt - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw new CommandFailedException($"no free slot within --slot-timeout {Durations.Format(options.SlotTimeout)} ({inUse}/{limit} in use{(outcome == SlotOutcome.HeldElsewhere ? ", and another roll holds this instance" : "")})");
            }
            try
            {
                await changed.WaitAsync(left, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Checked again at the top of the loop.
            }
        }
    }

    private string OnValue() =>
        MaintenanceValueParser.Format(true, new MaintenanceInfo(options.Reason, options.By, time.GetUtcNow() + options.Hold));

    /// <summary>Re-writes the instance's key with a fresh until while the step outlasts half of --hold.</summary>
    private async Task RenewAsync(string instance, CancellationToken ct)
    {
        var period = options.Hold / 2;
        try
        {
            while (true)
            {
                await Task.Delay(period, time, ct).ConfigureAwait(false);
                await etcd.PutAsync(FleetKeys.Instance(_service, instance), OnValue(), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (EtcdUnavailableException ex)
        {
            reporter.Report(new RollEvent("warning", instance, $"could not extend until: {ex.Message}"));
        }
    }

    private async Task RunStepActionAsync(string instance, InstanceStatus status, CancellationToken ct)
    {
        if (options.Wait is { } wait)
        {
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
        }
        if (options.Exec is not { } command)
        {
            return;
        }
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["MAINTCTL_SERVICE"] = _service;
        start.Environment["MAINTCTL_INSTANCE"] = instance;
        start.Environment["MAINTCTL_HOST"] = status.Host ?? "";
        start.Environment["MAINTCTL_PHASE"] = status.Phase;
        using var process = Process.Start(start) ?? throw new CommandFailedException($"could not start --exec '{command}'");
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            throw new CommandFailedException($"--exec exited with {process.ExitCode}; stopped the roll and put {instance} back into service");
        }
        reporter.Report(new RollEvent("exec", instance, "--exec succeeded"));
    }

    private async Task<InstanceStatus> WaitAsync(FleetMirror mirror, string instance, long after, Func<InstanceStatus, bool> done, TimeSpan timeout,
        string what, CancellationToken ct)
    {
        var outcome = await mirror.WaitAsync(state =>
        {
            var view = state.View(_service).Instances.FirstOrDefault(i => i.Id == instance);
            if (view?.Status is null)
            {
                return state.Revision > after ? new StatusWait(null) : null;
            }
            // Only a status written after our own write counts: an older "drained" or "serving" says nothing about this step.
            return view.StatusRevision > after && done(view.Status) ? new StatusWait(view.Status) : null;
        }, timeout, $"{instance}: {what}", ct).ConfigureAwait(false);
        return outcome.Status ?? throw new CommandFailedException($"stopped publishing its status (gone from {FleetKeys.Status(_service, instance)}) while waiting for {what}");
    }

    private void Fail(string message) => Interlocked.CompareExchange(ref _failure, message, null);

    /// <summary>After a failure or an interrupt: the instances this roll still holds go back into service, and its slots are freed.</summary>
    private async Task CleanUpAsync(long lease)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var instance in _holding.Keys)
        {
            try
            {
                await etcd.PutAsync(FleetKeys.Instance(_service, instance),
                    MaintenanceValueParser.Format(false, new MaintenanceInfo($"{options.Reason} (roll stopped)", options.By)), timeout.Token).ConfigureAwait(false);
                reporter.Report(new RollEvent("cleared", instance, "put back into service (the roll stopped)"));
            }
            catch (Exception ex) when (ex is EtcdUnavailableException or OperationCanceledException)
            {
                reporter.Report(new RollEvent("warning", instance, $"could not clear its key; it returns to service at its until: {ex.Message}"));
            }
        }
        try
        {
            await etcd.RevokeLeaseAsync(lease, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EtcdUnavailableException or OperationCanceledException)
        {
            // The lease expires by itself within its TTL.
        }
    }

    private sealed record StatusWait(InstanceStatus? Status);
}
