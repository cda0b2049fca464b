namespace EtcdMaintenance.Transport;

/// <summary>The names of one etcd RPC: for errors and logs (<c>Maintenance.Status</c>) and for traces.</summary>
internal sealed class EtcdRpc
{
    public static readonly EtcdRpc Status = new("Maintenance", "Status");
    public static readonly EtcdRpc Defragment = new("Maintenance", "Defragment");
    public static readonly EtcdRpc HashKv = new("Maintenance", "HashKV");
    public static readonly EtcdRpc Snapshot = new("Maintenance", "Snapshot");
    public static readonly EtcdRpc Alarm = new("Maintenance", "Alarm");
    public static readonly EtcdRpc MoveLeader = new("Maintenance", "MoveLeader");
    public static readonly EtcdRpc Range = new("KV", "Range");
    public static readonly EtcdRpc Put = new("KV", "Put");
    public static readonly EtcdRpc DeleteRange = new("KV", "DeleteRange");
    public static readonly EtcdRpc Compact = new("KV", "Compact");
    public static readonly EtcdRpc MemberList = new("Cluster", "MemberList");
    public static readonly EtcdRpc MemberAdd = new("Cluster", "MemberAdd");
    public static readonly EtcdRpc MemberRemove = new("Cluster", "MemberRemove");
    public static readonly EtcdRpc MemberUpdate = new("Cluster", "MemberUpdate");
    public static readonly EtcdRpc MemberPromote = new("Cluster", "MemberPromote");
    public static readonly EtcdRpc Authenticate = new("Auth", "Authenticate");

    private EtcdRpc(string service, string method)
    {
        Name = $"{service}.{method}";
        Service = $"etcdserverpb.{service}";
        Method = method;
        ActivityName = $"{Service}/{method}";
    }

    /// <summary>Service and method, e.g. <c>Maintenance.Status</c>: the operation named in errors and logs.</summary>
    public string Name { get; }

    /// <summary>The gRPC service, e.g. <c>etcdserverpb.Maintenance</c> (the <c>rpc.service</c> trace tag).</summary>
    public string Service { get; }

    /// <summary>The gRPC method, e.g. <c>Status</c> (the <c>rpc.method</c> trace tag).</summary>
    public string Method { get; }

    /// <summary>The trace activity's name, <c>etcdserverpb.Maintenance/Status</c>, as OpenTelemetry names RPC spans.</summary>
    public string ActivityName { get; }

    public override string ToString() => Name;
}
