// Connect with kubeadm's certificates, print every member's status, recover space if NOSPACE is raised.
using EtcdMaintenance;
using EtcdMaintenance.Operations;

const string Pki = "/etc/kubernetes/pki/etcd";
await using var client = new EtcdMaintenanceClient(new EtcdClientOptions
{
    Endpoints = [args.Length > 0 ? args[0] : "https://127.0.0.1:2379"],
    Tls = new EtcdTlsOptions { CaFile = $"{Pki}/ca.crt", CertFile = $"{Pki}/healthcheck-client.crt", KeyFile = $"{Pki}/healthcheck-client.key" },
    QuotaBackendBytes = 2L * 1024 * 1024 * 1024,
});

foreach (var s in (await client.GetClusterStatusAsync()).Reachable)
    Console.WriteLine($"{s.Endpoint} {s.MemberId} leader={s.IsLeader} db={s.DbSize} frag={s.FragmentationRatio:P0} quota={s.QuotaUsage:P0}");

if ((await client.GetAlarmsAsync()).Any(a => a.Type == EtcdAlarmType.NoSpace))
    (await new SpaceRecovery(client).ExecuteAsync(new Progress<SpaceRecoveryProgress>(p => Console.WriteLine(p.Message)))).EnsureSucceeded();
