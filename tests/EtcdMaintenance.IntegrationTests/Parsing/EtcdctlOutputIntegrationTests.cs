using System.Buffers;
using System.Text;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Parsing;

namespace EtcdMaintenance.IntegrationTests.Parsing;

/// <summary>
/// Real etcdctl 3.4 output for a real degraded cluster (3 members, NOSPACE, one follower stopped), in every format,
/// parsed and compared with what the client returns for the same cluster.
/// </summary>
public sealed class EtcdctlOutputIntegrationTests(DegradedClusterFixture fixture) : IClassFixture<DegradedClusterFixture>
{
    public static TheoryData<string> Formats => [.. DegradedClusterFixture.Formats];

    [Theory]
    [MemberData(nameof(Formats))]
    public void EndpointStatus_InEveryFormat_MatchesTheClientsStatusForEachLiveMember(string format)
    {
        var capture = fixture.Capture("endpoint-status", format);
        Assert.NotEqual(0, capture.ExitCode); // etcdctl exits 1 because one endpoint failed.

        var parsed = EtcdctlOutput.ParseEndpointStatus(capture.Stdout);

        Assert.Equal(Enum.Parse<EtcdctlOutputFormat>(format, ignoreCase: true), parsed.Format);
        Assert.Equal(fixture.LiveEndpoints.Select(e => e.Text).Order(), parsed.Statuses.Select(s => s.Endpoint).Order());
        var exact = format is "json" or "fields";
        foreach (var status in parsed.Statuses)
        {
            var before = fixture.Before[status.Endpoint];
            var after = fixture.After[status.Endpoint];
            Assert.Equal(before.MemberId, status.MemberId);
            Assert.Equal(before.Version, status.Version);
            Assert.Equal(before.IsLearner, status.IsLearner);
            Assert.Equal(before.IsLeader, status.IsLeader);
            Assert.InRange(status.RaftTerm, before.RaftTerm, after.RaftTerm);
            Assert.InRange(status.RaftIndex, before.RaftIndex, after.RaftIndex);
            Assert.InRange(status.RaftAppliedIndex, before.RaftAppliedIndex, after.RaftAppliedIndex);
            Assert.Equal(before.Leader, status.Leader);
            Assert.Contains(status.Errors, e => e.Contains("alarm:NOSPACE", StringComparison.Ordinal));
            if (exact)
            {
                Assert.False(status.SizesAreApproximate);
                Assert.InRange(status.DbSize, before.DbSize, after.DbSize);
                // etcd lists the alarms from a Go map: the order differs from call to call.
                Assert.Equal(before.Errors.Order(StringComparer.Ordinal), status.Errors.Order(StringComparer.Ordinal));
                Assert.NotNull(status.Header);
                Assert.Equal(before.Header!.ClusterId, status.Header.ClusterId);
                Assert.Equal(before.Header.MemberId, status.Header.MemberId);
                Assert.InRange(status.Header.Revision, before.Header.Revision, after.Header!.Revision);
                if (format == "json")
                {
                    Assert.InRange(status.DbSizeInUse!.Value, Math.Min(before.DbSizeInUse!.Value, after.DbSizeInUse!.Value), Math.Max(before.DbSizeInUse.Value, after.DbSizeInUse.Value));
                }
                else
                {
                    Assert.Null(status.DbSizeInUse); // etcdctl 3.4 -w fields does not print it.
                }
            }
            else
            {
                Assert.True(status.SizesAreApproximate);
                Assert.Null(status.Header);
                Assert.Null(status.Revision);
                // SI-rounded to two significant digits ("20 MB"): within 5 % of the exact size.
                Assert.InRange(status.DbSize, before.DbSize * 0.95, after.DbSize * 1.05);
                Assert.Equal(before.Errors.Select(e => e.Trim()).Order(StringComparer.Ordinal), status.Errors.Order(StringComparer.Ordinal));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void EndpointStatus_WithStandardErrorMerged_ReportsTheStoppedMemberAsAFailureInEveryFormat(string format)
    {
        var capture = fixture.Capture("endpoint-status", format);

        var parsed = EtcdctlOutput.ParseEndpointStatus(capture.Merged);
        var cluster = parsed.ToClusterStatus();

        var failure = Assert.Single(parsed.Failures);
        Assert.Equal(fixture.StoppedEndpoint.Text, failure.Endpoint);
        Assert.Equal(2, parsed.Statuses.Count);
        var unreachable = Assert.Single(cluster.Unreachable);
        Assert.Equal(fixture.StoppedEndpoint, unreachable.Endpoint);
        Assert.True(unreachable.Error!.IsTransient);
        Assert.Equal(2, cluster.Reachable.Count);
    }

    [Fact]
    public async Task EndpointStatus_JsonToClusterStatus_AgreesWithTheClientsClusterStatus()
    {
        var fromClient = await fixture.Client.GetClusterStatusAsync();

        var fromEtcdctl = EtcdctlOutput.ParseEndpointStatus(fixture.Capture("endpoint-status", "json").Merged).ToClusterStatus();

        Assert.Equal(fromClient.Unreachable.Select(e => e.Endpoint).Order(Comparer<EtcdEndpoint>.Create((a, b) => string.CompareOrdinal(a.Text, b.Text))),
            fromEtcdctl.Unreachable.Select(e => e.Endpoint).Order(Comparer<EtcdEndpoint>.Create((a, b) => string.CompareOrdinal(a.Text, b.Text))));
        Assert.Equal(fromClient.Leader!.MemberId, fromEtcdctl.Leader!.MemberId);
        Assert.Equal(fromClient.Reachable.Select(s => s.MemberId).Order(), fromEtcdctl.Reachable.Select(s => s.MemberId).Order());
        Assert.InRange(fromEtcdctl.MaxRevision!.Value, fixture.Before.Values.Max(s => s.Revision!.Value), fromClient.MaxRevision!.Value);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("fields")]
    public void RevisionExtractor_OnJsonAndFields_ReturnsEachLiveMembersRevisionAndTheMaximum(string format)
    {
        var capture = fixture.Capture("endpoint-status", format);
        var utf8 = Encoding.UTF8.GetBytes(capture.Merged);
        Span<EndpointRevision> revisions = stackalloc EndpointRevision[4];

        var status = RevisionExtractor.TryExtract(utf8, revisions, out var count, out var compact, out var error);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Null(error);
        Assert.Equal(2, count);
        var low = fixture.Before.Values.Max(s => s.Revision!.Value);
        var high = fixture.After.Values.Max(s => s.Revision!.Value);
        Assert.InRange(compact, low, high);
        foreach (var revision in revisions[..count])
        {
            var member = fixture.Before.Values.Single(s => s.MemberId == revision.MemberId);
            Assert.InRange(revision.Revision, member.Revision!.Value, fixture.After[member.Endpoint].Revision!.Value);
        }
    }

    [Theory]
    [InlineData("table")]
    [InlineData("simple")]
    public void RevisionExtractor_OnTableAndSimple_SaysTheFormatHasNoRevision(string format)
    {
        var capture = fixture.Capture("endpoint-status", format);

        var ok = RevisionExtractor.TryGetCompactRevision(capture.Merged, out var revision, out var error);

        Assert.False(ok);
        Assert.Equal(0, revision);
        Assert.Equal(EtcdctlParseErrorKind.NotInFormat, error!.Kind);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("table")]
    [InlineData("simple")]
    [InlineData("fields")]
    public async Task MemberList_InEveryFormat_MatchesTheClientsMemberList(string format)
    {
        var fromClient = await fixture.Client.ListMembersAsync();

        var parsed = EtcdctlOutput.ParseMemberList(fixture.Capture("member-list", format).Stdout);

        Assert.Equal(fromClient.Members.Count, parsed.Members.Count);
        foreach (var member in fromClient.Members)
        {
            var other = parsed.Find(member.Id);
            Assert.NotNull(other);
            Assert.Equal(member.Name, other.Name);
            Assert.Equal(member.PeerUrls, other.PeerUrls);
            Assert.Equal(member.ClientUrls, other.ClientUrls);
            Assert.Equal(member.IsLearner, other.IsLearner);
        }

        if (format is "json" or "fields")
        {
            Assert.Equal(fromClient.Header.ClusterId, parsed.Header!.ClusterId);
        }
        else
        {
            Assert.Null(parsed.Header);
        }
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task AlarmList_InSimpleAndJson_MatchesTheClientsAlarms(string format)
    {
        var fromClient = await fixture.Client.GetAlarmsAsync();

        var parsed = EtcdctlOutput.ParseAlarmList(fixture.Capture("alarm-list", format).Stdout);

        Assert.NotEmpty(parsed);
        Assert.Equal(fromClient.OrderBy(a => a.MemberId), parsed.OrderBy(a => a.MemberId));
        Assert.All(parsed, a => Assert.Equal(EtcdAlarmType.NoSpace, a.Type));
    }

    [Fact]
    public void AlarmList_AsATable_IsRefusedByEtcdctlAndByTheParser()
    {
        var capture = fixture.Capture("alarm-list", "table");

        var ok = EtcdctlOutput.TryParseAlarmList(capture.Merged, EtcdctlOutputFormat.Table, out _, out var error);

        Assert.NotEqual(0, capture.ExitCode);
        Assert.False(ok);
        Assert.Equal(EtcdctlParseErrorKind.Empty, error!.Kind);
    }

    [Theory]
    [InlineData("json", false)]
    [InlineData("table", false)]
    [InlineData("fields", false)]
    [InlineData("simple", true)]
    public void EndpointHealth_InEveryFormat_FindsTheStoppedMemberUnhealthyAndTheOthersHealthy(string format, bool printedOnStandardError)
    {
        var capture = fixture.Capture("endpoint-health", format);

        var parsed = EtcdctlOutput.ParseEndpointHealth(printedOnStandardError ? capture.Stderr : capture.Stdout);

        Assert.Equal(3, parsed.Count);
        var stopped = Assert.Single(parsed, h => h.Endpoint == fixture.StoppedEndpoint.Text);
        Assert.False(stopped.IsHealthy);
        Assert.Contains("deadline", stopped.Error, StringComparison.Ordinal);
        var live = parsed.Where(h => h != stopped).ToList();
        Assert.All(live, h => Assert.Contains(h.Endpoint, fixture.LiveEndpoints.Select(e => e.Text)));
        if (EtcdBinaries.IsEtcd34)
        {
            Assert.All(live, h => Assert.True(h.IsHealthy));
            Assert.All(live, h => Assert.True(h.Took > TimeSpan.Zero));
        }
        else
        {
            // etcdctl 3.5 counts an active alarm as unhealthy (as the client's CheckHealthAsync does): NOSPACE is armed here.
            Assert.All(live, h => Assert.False(h.IsHealthy));
            Assert.All(live, h => Assert.Contains("NOSPACE", h.Error, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task EndpointHashKv_InEveryFormat_MatchesTheClientsHashes(string format)
    {
        var capture = fixture.Capture("endpoint-hashkv", format);

        var parsed = EtcdctlOutput.ParseEndpointHashKv(capture.Merged);

        Assert.Equal(2, parsed.Hashes.Count);
        Assert.Equal(fixture.StoppedEndpoint.Text, Assert.Single(parsed.Failures).Endpoint);
        Assert.True(parsed.HashesAgree);
        foreach (var hash in parsed.Hashes)
        {
            var fromClient = await fixture.Client.HashKvAsync(EtcdEndpoint.Parse(hash.Endpoint));
            Assert.Equal(fromClient.Hash, hash.Hash);
            if (format is "json" or "fields")
            {
                Assert.Equal(fromClient.Header.MemberId, hash.Header!.MemberId);
            }
        }
    }

    [Fact]
    public void EveryCapture_ThroughTheWrongParser_IsRefusedAsWrongCommandOrEmpty()
    {
        foreach (var ((command, format), capture) in fixture.Captures)
        {
            foreach (var text in new[] { capture.Stdout, capture.Merged })
            {
                if (command != "endpoint-status")
                {
                    var ok = EtcdctlOutput.TryParseEndpointStatus(text, EtcdctlOutputFormat.Auto, out var result, out var error);
                    Assert.True(!ok || result!.Statuses.Count == 0, $"{command} -w {format} parsed as endpoint status");
                    if (!ok)
                    {
                        // etcdctl 3.4 crashes on alarm list -w fields: a Go panic is not any command's output.
                        var crashed = capture.Stderr.Contains("panic:", StringComparison.Ordinal) && text == capture.Merged;
                        Assert.True(error!.Kind is EtcdctlParseErrorKind.WrongCommand or EtcdctlParseErrorKind.Empty || (crashed && error.Kind == EtcdctlParseErrorKind.Malformed),
                            $"{command} -w {format}: {error}");
                    }

                    Assert.False(RevisionExtractor.TryGetCompactRevision(text, out _, out _), $"{command} -w {format} gave a revision");
                }

                if (command != "member-list")
                {
                    Assert.False(EtcdctlOutput.TryParseMemberList(text, EtcdctlOutputFormat.Auto, out var members, out _) && members.Members.Count > 0,
                        $"{command} -w {format} parsed as member list");
                }
            }
        }
    }
}
