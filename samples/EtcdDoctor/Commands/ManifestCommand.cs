using System.CommandLine;
using System.Globalization;
using EtcdMaintenance;
using EtcdMaintenance.Manifests;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary>
/// <c>etcd-doctor manifest show|get|set|set-quota --manifest PATH [--dry-run]</c>: read and patch etcd's flags in a static-pod
/// manifest, an etcd configuration file, a systemd environment file or a kubeadm ClusterConfiguration (the kind is recognised from the file), printing
/// the diff applied or, with <c>--dry-run</c>, the diff that would be applied.
/// </summary>
internal static class ManifestCommand
{
    public static Command Create()
    {
        var manifest = new Option<FileInfo>("--manifest", "-m")
        {
            Description = "The file: a static-pod manifest (/etc/kubernetes/manifests/etcd.yaml), an etcd config file, a systemd environment file (/etc/etcd.env), or a kubeadm ClusterConfiguration / kubeadm-config ConfigMap",
            Required = true,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the diff that would be applied; write nothing" };
        var backupDir = new Option<DirectoryInfo?>("--backup-dir")
        {
            Description = $"Where the backup of the file goes (never the manifests directory; default {ManifestSaveOptions.DefaultBackupDirectory})",
        };
        var kubeadmConfig = new Option<FileInfo?>("--kubeadm-config")
        {
            Description = "Also make the change in this kubeadm ClusterConfiguration (or saved kubeadm-config ConfigMap), so that kubeadm upgrade keeps it",
        };

        var command = new Command("manifest", """
            Read and patch etcd's flags in its static-pod manifest, config file or kubeadm configuration, keeping the file's formatting.

            Example: etcd-doctor manifest show --manifest /etc/kubernetes/manifests/etcd.yaml
            """);
        command.Subcommands.Add(CreateShow(manifest));
        command.Subcommands.Add(CreateGet(manifest));
        command.Subcommands.Add(CreateSet(manifest, dryRun, backupDir, kubeadmConfig));
        command.Subcommands.Add(CreateSetQuota(manifest, dryRun, backupDir, kubeadmConfig));
        return command;
    }

    private static Command CreateShow(Option<FileInfo> manifest)
    {
        var command = new Command("show", """
            Show the etcd flags (duplicates and the effective one), the liveness probe, and warnings.

            Example: etcd-doctor manifest show --manifest /etc/kubernetes/manifests/etcd.yaml -o json
            """) { manifest };
        command.SetAction(result =>
        {
            var document = Load(result.GetValue(manifest)!);
            if (Output.IsJson(result))
            {
                var liveness = document is EtcdManifest { LivenessProbe: { } p } ? p : null;
                Output.WriteJson(new
                {
                    File = document.SourceName,
                    Kind = document.Description,
                    Flags = document.Flags.Select(f => new { f.Line, f.Name, f.Value, Syntax = f.Syntax.ToString(), f.IsEffective }),
                    LivenessProbe = liveness is null ? null : new { liveness.FailureThreshold, liveness.PeriodSeconds, liveness.FailureBudget },
                    Notices = document.Notices.Select(Notice),
                });
                return ExitCodes.Ok;
            }

            Output.Terminal.MarkupLine($"[bold]{Markup.Escape(document.SourceName)}[/]: {Markup.Escape(document.Description)}");
            var table = new Table().AddColumns("Line", "Flag", "Value", "Written as", "");
            foreach (var flag in document.Flags)
            {
                table.AddRow(
                    flag.Line.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(flag.Name),
                    Markup.Escape(flag.Value ?? "(no value: true)"),
                    flag.Syntax.ToString(),
                    flag.IsEffective ? string.Empty : "[yellow]ignored: a later one wins[/]");
            }

            Output.Terminal.Write(table);
            if (document is EtcdManifest { LivenessProbe: { } probe })
            {
                Output.Terminal.MarkupLine(CultureInfo.InvariantCulture,
                    $"Liveness probe: failureThreshold {probe.FailureThreshold} x periodSeconds {probe.PeriodSeconds} = kills etcd after about {GoDuration.Format(probe.FailureBudget)} of failed checks");
            }

            PrintNotices(document.Notices);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateGet(Option<FileInfo> manifest)
    {
        var name = new Argument<string>("flag") { Description = "The flag, e.g. quota-backend-bytes" };
        var command = new Command("get", """
            Print the value etcd uses for a flag (exit code 1 when it is not set).

            Example: etcd-doctor manifest get quota-backend-bytes --manifest /etc/kubernetes/manifests/etcd.yaml
            """) { manifest, name };
        command.SetAction(result =>
        {
            var flag = result.GetValue(name)!.TrimStart('-');
            var value = Load(result.GetValue(manifest)!).GetFlag(flag);
            if (Output.IsJson(result))
            {
                Output.WriteJson(new { Flag = flag, Value = value, IsSet = value is not null });
            }
            else if (value is not null)
            {
                Console.WriteLine(value);
            }

            if (value is null)
            {
                Console.Error.WriteLine($"etcd-doctor: --{flag} is not set in {result.GetValue(manifest)!.FullName}");
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateSet(Option<FileInfo> manifest, Option<bool> dryRun, Option<DirectoryInfo?> backupDir, Option<FileInfo?> kubeadmConfig)
    {
        var name = new Argument<string>("flag") { Description = "The flag, e.g. snapshot-count" };
        var value = new Argument<string?>("value") { Description = "The value (omit with --remove, or for a boolean flag written alone)", Arity = ArgumentArity.ZeroOrOne };
        var remove = new Option<bool>("--remove") { Description = "Remove the flag (every occurrence) instead of setting it" };
        var force = new Option<bool>("--force") { Description = "Write a flag or value that is refused otherwise (an unknown flag, a value of the wrong type)" };
        var command = new Command("set", """
            Set or remove a flag, changing only that item; prints the diff (-o json: the diff and notices as JSON).

            Example: etcd-doctor manifest set snapshot-count 10000 --manifest /etc/kubernetes/manifests/etcd.yaml --dry-run
            """) { manifest, name, value, remove, force, dryRun, backupDir, kubeadmConfig };
        command.SetAction(async (result, cancellationToken) =>
        {
            var flag = result.GetValue(name)!;
            var newValue = result.GetValue(value);
            var removing = result.GetValue(remove);
            var forced = result.GetValue(force);
            Func<EtcdFlagFile, EtcdFlagFile> edit = removing
                ? document => document.RemoveFlag(flag)
                : document => document.SetFlag(flag, newValue, forced);
            return await ApplyAsync(result, result.GetValue(manifest)!, result.GetValue(kubeadmConfig), edit, SaveOptions(result.GetValue(dryRun), result.GetValue(backupDir)), cancellationToken);
        });
        return command;
    }

    private static Command CreateSetQuota(Option<FileInfo> manifest, Option<bool> dryRun, Option<DirectoryInfo?> backupDir, Option<FileInfo?> kubeadmConfig)
    {
        var size = new Argument<string>("size") { Description = "The new quota: 8589934592, 8Gi, 8GiB or 8GB (written as an integer byte count)" };
        var dbSize = new Option<string?>("--db-size") { Description = "The largest current DB size of the members (etcdctl endpoint status); a quota at or below it is refused" };
        var force = new Option<bool>("--force") { Description = "Allow a quota above etcd's suggested maximum of 8 GiB" };
        var throughput = new Option<string?>("--defrag-throughput") { Description = "Bytes per second a defragment rewrites, for the liveness-probe advice (default 32Mi)" };
        var raiseProbe = new Option<bool>("--raise-probe-threshold") { Description = "Also raise livenessProbe.failureThreshold when the probe could kill etcd during a defragment" };
        var command = new Command("set-quota", """
            Set --quota-backend-bytes safely, with advice about kubeadm's liveness probe.

            Example: etcd-doctor manifest set-quota 8GiB --db-size 2.1GiB --manifest /etc/kubernetes/manifests/etcd.yaml --dry-run
            """)
        {
            manifest, size, dbSize, force, throughput, raiseProbe, dryRun, backupDir, kubeadmConfig,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var quota = QuotaBackendBytes.Parse(result.GetValue(size)!, CultureInfo.InvariantCulture);
            var options = new QuotaChangeOptions
            {
                Force = result.GetValue(force),
                CurrentDatabaseSize = result.GetValue(dbSize) is { } db ? QuotaBackendBytes.Parse(db, CultureInfo.InvariantCulture).Bytes : null,
            };
            if (result.GetValue(throughput) is { } rate)
            {
                options.DefragmentBytesPerSecond = QuotaBackendBytes.Parse(rate, CultureInfo.InvariantCulture).Bytes;
            }

            var probe = result.GetValue(raiseProbe);
            EtcdFlagFile Change(EtcdFlagFile document)
            {
                var edited = document.SetQuotaBackendBytes(quota, options);
                return probe && edited is EtcdManifest pod && pod.AssessLivenessProbe(quota, options.DefragmentBytesPerSecond) is { IsSufficient: false } assessment
                    ? pod.SetLivenessProbeFailureThreshold(assessment.SuggestedFailureThreshold)
                    : edited;
            }

            return await ApplyAsync(result, result.GetValue(manifest)!, result.GetValue(kubeadmConfig), Change, SaveOptions(result.GetValue(dryRun), result.GetValue(backupDir)), cancellationToken);
        });
        return command;
    }

    private static ManifestSaveOptions SaveOptions(bool dryRun, DirectoryInfo? backupDir) => new() { DryRun = dryRun, BackupDirectory = backupDir?.FullName };

    /// <summary>Edits the file (and the kubeadm configuration, when given), prints each diff and notice, and saves unless it is a dry run.</summary>
    private static async Task<int> ApplyAsync(ParseResult parse, FileInfo file, FileInfo? kubeadm, Func<EtcdFlagFile, EtcdFlagFile> edit, ManifestSaveOptions options, CancellationToken cancellationToken)
    {
        // Edit every document before saving any, so that a refused edit leaves every file untouched.
        var edited = new List<EtcdFlagFile> { edit(Load(file)) };
        if (kubeadm is not null)
        {
            edited.Add(edit(KubeadmClusterConfiguration.Load(kubeadm.FullName)));
        }

        var json = Output.IsJson(parse);
        var results = new List<object>();
        foreach (var document in edited)
        {
            var saved = await ManifestFile.SaveAsync(document, options, cancellationToken);
            if (json)
            {
                results.Add(new { File = saved.Path, Changed = saved.Diff.Length > 0, options.DryRun, saved.BackupPath, saved.Diff, Notices = document.Notices.Select(Notice) });
                continue;
            }

            PrintDiff(saved.Diff);
            PrintNotices(document.Notices);
            var what = saved.Diff.Length == 0 ? "no change" : options.DryRun ? "dry run, nothing written" : $"written; backup {saved.BackupPath}";
            if (Console.IsOutputRedirected)
            {
                Console.Error.WriteLine($"{saved.Path}: {what}");
            }
            else
            {
                Output.Terminal.MarkupLine($"[bold]{Markup.Escape(saved.Path)}[/]: {Markup.Escape(what)}");
            }
        }

        if (json)
        {
            Output.WriteJson(results);
        }

        return ExitCodes.Ok;
    }

    private static EtcdFlagFile Load(FileInfo file) => EtcdFlagFile.Load(file.FullName);

    private static void PrintDiff(string diff)
    {
        if (Console.IsOutputRedirected)
        {
            // Piped into a file or patch(1): the diff exactly as written, no colours, no wrapping.
            Console.Out.Write(diff);
            return;
        }

        foreach (var line in diff.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var color = line switch
            {
                _ when line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) => "bold",
                _ when line.StartsWith('+') => "green",
                _ when line.StartsWith('-') => "red",
                _ when line.StartsWith("@@", StringComparison.Ordinal) => "cyan",
                _ => "default",
            };
            Output.Terminal.MarkupLine($"[{color}]{Markup.Escape(line)}[/]");
        }
    }

    private static void PrintNotices(IEnumerable<ManifestNotice> notices)
    {
        foreach (var notice in notices)
        {
            if (Console.IsOutputRedirected)
            {
                // Keep standard output a clean diff; warnings and advice go to standard error.
                Console.Error.WriteLine(notice.ToString());
                continue;
            }

            var color = notice.Severity == ManifestNoticeSeverity.Warning ? "yellow" : "blue";
            Output.Terminal.MarkupLine($"[{color}]{Markup.Escape(notice.ToString())}[/]");
        }
    }

    private static object Notice(ManifestNotice notice) => new { Severity = notice.Severity.ToString().ToLowerInvariant(), Code = notice.Code.ToString(), notice.Flag, notice.Line, notice.Message };
}
