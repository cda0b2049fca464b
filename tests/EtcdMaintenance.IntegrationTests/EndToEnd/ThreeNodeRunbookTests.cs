using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.EndToEnd;

/// <summary>
/// The first runbook end to end, as an admin runs it: from a client namespace, over SSH to three nodes in namespaces of
/// their own (kubeadm-shaped manifests, TLS, a kubelet stand-in), the quota raised on all three, then a member whose data
/// diverged replaced on its own node; a writer runs throughout and every acknowledged write is readable after.
/// </summary>
public sealed class ThreeNodeRunbookTests
{
    private const long OldQuota = 16 * 1024 * 1024;

    [Fact]
    public async Task FromAnAdminNamespace_RaiseTheQuotaOnEveryNodeOverSsh_ThenReplaceADivergedMember_LosingNoAcknowledgedWrite()
    {
        await using var nodes = await NamespacedNodes.StartAsync(OldQuota);
        string[] ssh = ["--ssh-user", Environment.UserName, "--ssh-key", nodes.ClientKey, "--known-hosts", nodes.KnownHosts, "--manifest", nodes.ManifestPath];

        // The writer talks to cp-1 and cp-3 (cp-2 is about to answer for another cluster); it prints each key etcd acknowledged.
        var stopFile = Path.Combine(nodes.Root, "stop-writer");
        var writerEndpoints = $"{NamespacedNodes.ClientUrl(1)},{NamespacedNodes.ClientUrl(3)}";
        using var writer = nodes.StartInClient(
            $"i=0; while [ ! -e '{stopFile}' ]; do if '{EtcdBinaries.Etcdctl}' --endpoints={writerEndpoints} {string.Join(' ', nodes.TlsFlags.Select(f => $"'{f}'"))} " +
            "--dial-timeout=2s --command-timeout=5s put /writer/$i v >/dev/null 2>&1; then echo /writer/$i; fi; i=$((i+1)); done");
        var acknowledged = writer.StandardOutput.ReadToEndAsync();

        // 1. The quota, on every node, over SSH, from the admin namespace.
        var raise = await nodes.EtcdDoctorAsync(TimeSpan.FromMinutes(6), ["raise-quota", "--to", "64MiB", .. ssh]);
        Assert.True(raise.ExitCode == 0, $"raise-quota exited {raise.ExitCode}: {raise.Stderr}\n{raise.Stdout}");
        for (var i = 1; i <= NamespacedNodes.Count; i++)
        {
            Assert.Equal("67108864", EtcdManifest.Load(nodes.HostManifestPath(i)).GetFlag("quota-backend-bytes"));
            Assert.Single(Directory.GetFiles(Path.Combine(nodes.NodeDirectory(i), "kubernetes", "etcd-maintenance", "backups")));
            Assert.Equal(["etcd.yaml"], Directory.GetFiles(Path.GetDirectoryName(nodes.HostManifestPath(i))!).Select(Path.GetFileName));
        }

        Assert.All(nodes.Supervisors, s => Assert.Equal(2, s.Starts));

        // 2. cp-2's data diverges: its node restarts it on the data dir of another, single-member cluster.
        var foreign = await ForeignDataDirectoryAsync(nodes.Root);
        var manifest2 = nodes.HostManifestPath(2);
        var aside = Path.Combine(nodes.Root, "cp-2-manifest-aside.yaml");
        File.Move(manifest2, aside);
        await Retry.UntilAsync(() => Task.FromResult(nodes.Supervisors[1].Process is null), "cp-2 to stop");
        Directory.Delete(nodes.HostDataDirectory(2), recursive: true);
        CopyDirectory(foreign, nodes.HostDataDirectory(2));
        File.Move(aside, manifest2);
        await Retry.UntilAsync(async () => (await nodes.EtcdctlAsync(["get", "/foreign/key", "--print-value-only", "--consistency=s"], NamespacedNodes.ClientUrl(2))).Stdout.Contains("from another cluster", StringComparison.Ordinal),
            "cp-2 to answer with the other cluster's data", TimeSpan.FromSeconds(60));

        // 3. Replace it on its own node, over SSH; the journal stays on the admin's side.
        var journals = Path.Combine(nodes.Root, "journals");
        var replace = await nodes.EtcdDoctorAsync(TimeSpan.FromMinutes(8), ["replace-member", "--name", "cp-2", "--journal-dir", journals, .. ssh]);
        Assert.True(replace.ExitCode == 0, $"replace-member exited {replace.ExitCode}: {replace.Stderr}\n{replace.Stdout}");

        File.WriteAllText(stopFile, string.Empty);
        await writer.WaitForExitAsync();
        var keys = (await acknowledged).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(keys);

        // Every acknowledged write is there, on every member (serializable reads answer from each member's own data).
        for (var i = 1; i <= NamespacedNodes.Count; i++)
        {
            var node = i;
            await Retry.UntilAsync(async () =>
            {
                var (_, stored, _) = await nodes.EtcdctlAsync(["get", "/writer/", "--prefix", "--keys-only", "--consistency=s"], NamespacedNodes.ClientUrl(node));
                var present = stored.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                return keys.All(present.Contains);
            }, $"every acknowledged write on cp-{node}");
        }

        var (_, foreignLeft, _) = await nodes.EtcdctlAsync(["get", "/foreign/", "--prefix", "--keys-only"]);
        Assert.Equal(string.Empty, foreignLeft.Trim());
        Assert.Equal(0, (await nodes.EtcdctlAsync(["endpoint", "health"])).ExitCode);
        var archived = Directory.GetDirectories(nodes.NodeDirectory(2), "data.replaced-*");
        Assert.True(File.Exists(Path.Combine(Assert.Single(archived), "member", "snap", "db")), "the diverged data dir is kept aside on cp-2");
        var journalPath = Assert.Single(Directory.GetFiles(journals, "member-replacement-*.json"));
        var journal = MemberReplacementJournal.Deserialize(File.ReadAllBytes(journalPath), journalPath);
        Assert.True(journal.IsCompleted);
        Assert.Equal((NamespacedNodes.Address(2).ToString(), "kubeadm-static-pod"), (journal.HostName, journal.RunMode));
        Assert.All(journal.CompletedSteps, s => Assert.Equal(NamespacedNodes.Address(2).ToString(), s.Node));
    }

    /// <summary>The data dir of a throwaway single-member cluster (on loopback, in this namespace) holding /foreign/key.</summary>
    private static async Task<string> ForeignDataDirectoryAsync(string root)
    {
        await using var other = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1 });
        await using (var client = other.CreateClient())
        {
            await client.PutAsync("/foreign/key", "from another cluster"u8.ToArray());
        }

        await other.StopMemberAsync(0);
        var copy = Path.Combine(root, "foreign-data");
        CopyDirectory(other.Members[0].DataDir, copy);
        return copy;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
