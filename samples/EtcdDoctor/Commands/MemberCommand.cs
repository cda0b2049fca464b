using System.CommandLine;
using EtcdMaintenance;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor member list|add|remove|update|promote</c>: etcdctl's member commands, with names accepted for IDs.</summary>
internal static class MemberCommand
{
    public static Command Create()
    {
        var command = new Command("member", """
            List and change the cluster's members, as etcdctl member does. Members are given by hex ID (as 'member list'
            prints them) or by name. etcd refuses a change that would cost quorum (exit code 2). To replace a failed member,
            prefer 'etcd-doctor replace-member', which plans, journals and verifies every step.

            Example: etcd-doctor member list -w json
            """);
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateAdd());
        command.Subcommands.Add(CreateRemove());
        command.Subcommands.Add(CreateUpdate());
        command.Subcommands.Add(CreatePromote());
        return command;
    }

    private static Command CreateList()
    {
        var command = new Command("list", """
            List the members: ID, started or not, name, peer and client URLs, learner or not.

            Example: etcd-doctor member list --endpoints=https://10.0.0.1:2379 -w json
            """);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var list = await client.ListMembersAsync(cancellationToken);
            Write(parse, list.Header, list.Members);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateAdd()
    {
        var name = new Argument<string>("name") { Description = "The new member's name (its --name)." };
        var peerUrls = PeerUrlsOption(required: true);
        var learner = new Option<bool>("--learner") { Description = "Add it as a non-voting learner and promote it once it has caught up (recommended: it cannot cost quorum while it syncs)." };
        var command = new Command("add", """
            Add a member with its peer URLs, then print the settings to start it with (ETCD_INITIAL_CLUSTER and friends).

            Example: etcd-doctor member add node-4 --peer-urls=https://10.0.0.4:2380 --learner
            """) { name, peerUrls, learner };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var memberName = parse.GetValue(name)!;
            var result = await client.AddMemberAsync(SplitUrls(parse.GetValue(peerUrls)!), parse.GetValue(learner), cancellationToken);
            var initialCluster = string.Join(',', result.Members
                .Select(m => (Name: m.Id == result.Member.Id ? memberName : m.Name, m.PeerUrls))
                .Where(m => m.Name.Length > 0)
                .SelectMany(m => m.PeerUrls.Select(url => $"{m.Name}={url}")));
            if (Output.IsJson(parse))
            {
                Output.WriteJson(new
                {
                    Header = JsonShapes.Header(result.Header),
                    Member = JsonShapes.Member(result.Member),
                    Members = result.Members.Select(JsonShapes.Member),
                    InitialCluster = initialCluster,
                });
                return ExitCodes.Ok;
            }

            Console.Out.WriteLine($"Member {result.Member.Id} added to cluster {result.Header.ClusterIdHex}{(result.Member.IsLearner ? " as a learner" : string.Empty)}");
            Console.Out.WriteLine();
            Console.Out.WriteLine($"ETCD_NAME=\"{memberName}\"");
            Console.Out.WriteLine($"ETCD_INITIAL_CLUSTER=\"{initialCluster}\"");
            Console.Out.WriteLine($"ETCD_INITIAL_ADVERTISE_PEER_URLS=\"{string.Join(',', result.Member.PeerUrls)}\"");
            Console.Out.WriteLine("ETCD_INITIAL_CLUSTER_STATE=\"existing\"");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateRemove()
    {
        var member = MemberArgument();
        var command = new Command("remove", """
            Remove a member. etcd refuses when the members left could not keep quorum.

            Example: etcd-doctor member remove 8e9e05c52164694d
            """) { member };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var target = await ResolveAsync(client, parse.GetValue(member)!, cancellationToken);
            var list = await client.RemoveMemberAsync(target.Id, cancellationToken);
            return Done(parse, $"Member {target.Id} ({Named(target)}) removed from cluster {list.Header.ClusterIdHex}", list);
        });
        return command;
    }

    private static Command CreateUpdate()
    {
        var member = MemberArgument();
        var peerUrls = PeerUrlsOption(required: true);
        var command = new Command("update", """
            Change a member's peer URLs (restart it with the new --initial-advertise-peer-urls afterwards).

            Example: etcd-doctor member update node-2 --peer-urls=https://10.0.0.12:2380
            """) { member, peerUrls };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var target = await ResolveAsync(client, parse.GetValue(member)!, cancellationToken);
            var list = await client.UpdateMemberAsync(target.Id, SplitUrls(parse.GetValue(peerUrls)!), cancellationToken);
            return Done(parse, $"Member {target.Id} ({Named(target)}) updated in cluster {list.Header.ClusterIdHex}", list);
        });
        return command;
    }

    private static Command CreatePromote()
    {
        var member = MemberArgument();
        var command = new Command("promote", """
            Promote a learner to a voting member. etcd refuses until the learner has caught up with the leader; try again then.

            Example: etcd-doctor member promote node-4
            """) { member };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var target = await ResolveAsync(client, parse.GetValue(member)!, cancellationToken);
            if (!target.IsLearner)
            {
                throw new InvalidOperationException($"member {target.Id} ({Named(target)}) is a voting member already: only a learner can be promoted.");
            }

            // A seam: the library routes MemberPromote to the leader once it does (etcd forwards it badly with auth on).
            var list = await client.PromoteMemberAsync(target.Id, cancellationToken);
            return Done(parse, $"Member {target.Id} ({Named(target)}) promoted in cluster {list.Header.ClusterIdHex}", list);
        });
        return command;
    }

    private static Argument<string> MemberArgument() => new("member") { Description = "The member: its hex ID (as 'member list' prints it) or its name." };

    private static Option<string> PeerUrlsOption(bool required) => new("--peer-urls")
    {
        Description = "Peer URLs, comma-separated, e.g. https://10.0.0.4:2380.",
        Required = required,
    };

    private static string[] SplitUrls(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Named(EtcdMember member) => member.IsStarted ? member.Name : "not started";

    /// <summary>Finds the member by hex ID or by name; an unknown one is an error listing the members there are.</summary>
    private static async Task<EtcdMember> ResolveAsync(EtcdMaintenanceClient client, string text, CancellationToken cancellationToken)
    {
        var list = await client.ListMembersAsync(cancellationToken);
        var member = (MemberId.TryParseHex(text, out var id) ? list.Find(id) : null) ?? list.FindByName(text);
        return member ?? throw new InvalidOperationException(
            $"no member '{text}' in cluster {list.Header.ClusterIdHex}: the members are {string.Join(", ", list.Members.Select(m => $"{m.Id} ({Named(m)})"))}.");
    }

    private static int Done(ParseResult parse, string message, EtcdMemberList list)
    {
        if (Output.IsJson(parse))
        {
            Output.WriteJson(JsonShapes.Members(list.Header, list.Members));
        }
        else
        {
            Console.Out.WriteLine(message);
        }

        return ExitCodes.Ok;
    }

    private static void Write(ParseResult parse, ResponseHeader header, IReadOnlyList<EtcdMember> members)
    {
        if (Output.IsJson(parse))
        {
            Output.WriteJson(JsonShapes.Members(header, members));
            return;
        }

        var table = new Table().Border(Output.IsWide(parse) ? TableBorder.Rounded : TableBorder.None)
            .AddColumns("ID", "STATUS", "NAME", "PEER ADDRS", "CLIENT ADDRS", "LEARNER");
        foreach (var m in members)
        {
            table.AddRow(m.Id.ToString(), m.IsStarted ? "started" : "[yellow]unstarted[/]", Markup.Escape(m.Name),
                Markup.Escape(string.Join(",", m.PeerUrls)), Markup.Escape(string.Join(",", m.ClientUrls)), m.IsLearner ? "true" : "false");
        }

        Output.Terminal.Write(table);
    }
}
