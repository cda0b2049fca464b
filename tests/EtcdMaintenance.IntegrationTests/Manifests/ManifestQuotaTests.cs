using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.IntegrationTests.Manifests;

public sealed class ManifestQuotaTests(ITestOutputHelper output)
{
    private const long OldQuota = 16L * 1024 * 1024;
    private const long NewQuota = 48L * 1024 * 1024;

    [Fact]
    public async Task SetQuotaBackendBytes_InManifest_RealEtcdStartedFromItsCommandTakesMoreData()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, QuotaBackendBytes = OldQuota });
        var member = cluster.Members[0];

        // With the old quota: fill until NOSPACE.
        int keysWithOldQuota;
        MemberId memberId;
        await using (var client = cluster.CreateClient())
        {
            var (keys, error) = await cluster.FillToNoSpaceAsync(client, "/before/");
            keysWithOldQuota = keys.Count;
            Assert.Equal(EtcdErrorCode.NoSpace, error.ErrorCode);
            memberId = (await client.GetStatusAsync(cluster.Endpoint(0))).MemberId;
        }

        await cluster.StopMemberAsync(0);

        // A kubeadm-style static pod whose command is the member's command line; raise the quota with the API and save.
        var manifests = Directory.CreateDirectory(Path.Combine(cluster.Root, "manifests")).FullName;
        var path = Path.Combine(manifests, "etcd.yaml");
        await File.WriteAllTextAsync(path, KubeadmStyleManifest(member.Arguments));
        var manifest = EtcdManifest.Load(path);
        Assert.Equal(new QuotaBackendBytes(OldQuota), manifest.GetQuotaBackendBytes());

        var patched = manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("48Mi"), new QuotaChangeOptions { CurrentDatabaseSize = OldQuota });
        var saved = await ManifestFile.SaveAsync(patched, new ManifestSaveOptions { BackupDirectory = Path.Combine(cluster.Root, "backups") });

        Assert.True(saved.Written);
        Assert.Contains($"-    - --quota-backend-bytes={OldQuota}", saved.Diff, StringComparison.Ordinal);
        Assert.Contains($"+    - --quota-backend-bytes={NewQuota}", saved.Diff, StringComparison.Ordinal);
        Assert.Equal(["etcd.yaml"], Directory.GetFiles(manifests).Select(Path.GetFileName));

        // The harness turns the patched command list into the member's process (the leading "etcd" is the executable).
        var commandLine = EtcdManifest.Load(path).CommandLine;
        Assert.Equal("etcd", commandLine[0]);
        member.Arguments = [.. commandLine.Skip(1)];
        Assert.Contains($"--quota-backend-bytes={NewQuota}", member.Arguments);
        await cluster.StartMemberAsync(0);

        // NOSPACE is persisted across restarts until disarmed; with the new quota, writes then go on far beyond the old limit.
        await using (var client = cluster.CreateClient())
        {
            await client.DisarmAlarmAsync(memberId, EtcdAlarmType.NoSpace);
            var (keys, error) = await cluster.FillToNoSpaceAsync(client, "/after/");
            Assert.Equal(EtcdErrorCode.NoSpace, error.ErrorCode);
            var total = keysWithOldQuota + keys.Count;
            output.WriteLine($"900 KB values before NOSPACE: {keysWithOldQuota} with a {OldQuota}-byte quota, {total} after raising it to {NewQuota} bytes");
            // How many values fit under the old quota varies with when bbolt grows its file (21-33 seen here), so compare
            // with the old quota itself: the member now holds half as much again live data as that quota allowed at all.
            Assert.True(total > keysWithOldQuota, $"{keysWithOldQuota} values fit in {OldQuota} bytes, {total} in {NewQuota} bytes");
            Assert.True(total * 900L * 1024 > OldQuota * 3 / 2, $"{total} values of 900 KB after the raise: not clearly past the old {OldQuota}-byte quota");
        }
    }

    /// <summary>kubeadm's etcd.yaml layout (probes, resources, volumes) with the given flags under command.</summary>
    private static string KubeadmStyleManifest(IReadOnlyList<string> arguments) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          annotations:
            kubeadm.kubernetes.io/etcd.advertise-client-urls: https://10.0.0.11:2379
          labels:
            component: etcd
            tier: control-plane
          name: etcd
          namespace: kube-system
        spec:
          containers:
          - command:
            - etcd
        {string.Concat(arguments.Select(a => $"    - {a}\n"))}    image: registry.k8s.io/etcd:3.5.12-0
            livenessProbe:
              failureThreshold: 8
              httpGet:
                host: 127.0.0.1
                path: /health?exclude=NOSPACE&serializable=true
                port: 2381
                scheme: HTTP
              periodSeconds: 10
            name: etcd
            volumeMounts:
            - mountPath: /var/lib/etcd
              name: etcd-data
          hostNetwork: true
          volumes:
          - hostPath:
              path: /var/lib/etcd
              type: DirectoryOrCreate
            name: etcd-data

        """;
}
