using Etcdserverpb;
using Google.Protobuf;
using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Fleet;

namespace MaintenanceActors.Cli.Roll;

/// <summary>What an attempt to take a slot found.</summary>
internal enum SlotOutcome
{
    /// <summary>Taken: the slot is ours and the instance's maintenance key was written in the same transaction.</summary>
    Taken,

    /// <summary>The budget is in use up to its limit (by this roll or others).</summary>
    Full,

    /// <summary>Another roll holds this instance.</summary>
    HeldElsewhere,

    /// <summary>A slot changed between the read and the transaction; read again.</summary>
    Raced,
}

/// <summary>
/// The roll budget in etcd: one key per instance held out of service under <c>/maintenance-roll/&lt;service&gt;/slots/</c>, each on
/// the holding roll's lease. A slot is taken by a transaction that compares the slots prefix's revision with the read that counted
/// it (every slot key's mod revision ≤ that read's revision: no slot was added since), so any number of concurrent rolls with the
/// same limit never hold more than it. The instance's maintenance key is written in the same transaction.
/// </summary>
internal sealed class RollBudget(FleetEtcd etcd, string service, long lease)
{
    public async Task<(SlotOutcome Outcome, long Revision, int InUse)> TryTakeAsync(string instance, int limit, string slotValue, string instanceValue,
        CancellationToken ct)
    {
        var slots = await etcd.GetAsync(FleetKeys.SlotsOf(service), prefix: true, ct).ConfigureAwait(false);
        var slotKey = FleetKeys.Slot(service, instance);
        if (slots.Items.Any(kv => kv.Key == slotKey))
        {
            return (SlotOutcome.HeldElsewhere, slots.Revision, slots.Items.Count);
        }
        if (slots.Items.Count >= limit)
        {
            return (SlotOutcome.Full, slots.Revision, slots.Items.Count);
        }
        var prefix = ByteString.CopyFromUtf8(FleetKeys.SlotsOf(service));
        var txn = new TxnRequest();
        // No slot created or changed since the read that counted them (deletions only free room, so they may pass).
        txn.Compare.Add(new Compare
        {
            Key = prefix,
            RangeEnd = FleetEtcd.PrefixEnd(FleetKeys.SlotsOf(service)),
            Target = Compare.Types.CompareTarget.Mod,
            Result = Compare.Types.CompareResult.Less,
            ModRevision = slots.Revision + 1,
        });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(slotKey), Value = ByteString.CopyFromUtf8(slotValue), Lease = lease } });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(FleetKeys.Instance(service, instance)), Value = ByteString.CopyFromUtf8(instanceValue) } });
        var response = await etcd.TxnAsync(txn, slotKey, ct).ConfigureAwait(false);
        return response.Succeeded
            ? (SlotOutcome.Taken, response.Header.Revision, slots.Items.Count + 1)
            : (SlotOutcome.Raced, response.Header.Revision, slots.Items.Count);
    }

    /// <summary>Frees the instance's slot, only if this roll's lease holds it.</summary>
    public async Task ReleaseAsync(string instance, CancellationToken ct)
    {
        var slotKey = ByteString.CopyFromUtf8(FleetKeys.Slot(service, instance));
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = slotKey, Target = Compare.Types.CompareTarget.Lease, Result = Compare.Types.CompareResult.Equal, Lease = lease });
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = slotKey } });
        await etcd.TxnAsync(txn, FleetKeys.Slot(service, instance), ct).ConfigureAwait(false);
    }
}
