namespace MaintenanceActors.Etcd;

/// <summary>gRPC method paths of etcd's v3 API.</summary>
internal static class EtcdMethods
{
    public const string Range = "/etcdserverpb.KV/Range";
    public const string Put = "/etcdserverpb.KV/Put";
    public const string DeleteRange = "/etcdserverpb.KV/DeleteRange";
    public const string Txn = "/etcdserverpb.KV/Txn";
    public const string Compact = "/etcdserverpb.KV/Compact";
    public const string Watch = "/etcdserverpb.Watch/Watch";
    public const string LeaseGrant = "/etcdserverpb.Lease/LeaseGrant";
    public const string LeaseRevoke = "/etcdserverpb.Lease/LeaseRevoke";
    public const string LeaseKeepAlive = "/etcdserverpb.Lease/LeaseKeepAlive";
    public const string LeaseTimeToLive = "/etcdserverpb.Lease/LeaseTimeToLive";
    public const string Authenticate = "/etcdserverpb.Auth/Authenticate";
    public const string AuthEnable = "/etcdserverpb.Auth/AuthEnable";
    public const string UserAdd = "/etcdserverpb.Auth/UserAdd";
    public const string UserGrantRole = "/etcdserverpb.Auth/UserGrantRole";
    public const string RoleAdd = "/etcdserverpb.Auth/RoleAdd";
    public const string RoleGrantPermission = "/etcdserverpb.Auth/RoleGrantPermission";
}
