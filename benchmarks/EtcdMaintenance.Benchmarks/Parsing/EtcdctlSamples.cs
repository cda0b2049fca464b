using System.Text;

namespace EtcdMaintenance.Benchmarks.Parsing;

/// <summary>
/// One 3-member cluster (NOSPACE raised, leader second) as etcdctl 3.4 prints <c>endpoint status</c> in each format,
/// shaped like the real captures in tests/EtcdMaintenance.Tests/Parsing/Fixtures/etcd-3.4.23.
/// </summary>
public static class EtcdctlSamples
{
    public const string Json =
        "[{\"Endpoint\":\"https://10.0.0.11:2379\",\"Status\":{\"header\":{\"cluster_id\":10037665787617233566,\"member_id\":9097235633941348612,\"revision\":1843216,\"raft_term\":7},\"version\":\"3.4.23\",\"dbSize\":16834560,\"leader\":6081241627645528578,\"raftIndex\":2249514,\"raftTerm\":7,\"raftAppliedIndex\":2249514,\"errors\":[\"memberID:18219664082543276670 alarm:NOSPACE \"],\"dbSizeInUse\":8400000}}," +
        "{\"Endpoint\":\"https://10.0.0.12:2379\",\"Status\":{\"header\":{\"cluster_id\":10037665787617233566,\"member_id\":6081241627645528578,\"revision\":1843216,\"raft_term\":7},\"version\":\"3.4.23\",\"dbSize\":16834560,\"leader\":6081241627645528578,\"raftIndex\":2249514,\"raftTerm\":7,\"raftAppliedIndex\":2249514,\"errors\":[\"memberID:18219664082543276670 alarm:NOSPACE \"],\"dbSizeInUse\":8392704}}," +
        "{\"Endpoint\":\"https://10.0.0.13:2379\",\"Status\":{\"header\":{\"cluster_id\":10037665787617233566,\"member_id\":18219664082543276670,\"revision\":1843215,\"raft_term\":7},\"version\":\"3.4.23\",\"dbSize\":16838656,\"leader\":6081241627645528578,\"raftIndex\":2249513,\"raftTerm\":7,\"raftAppliedIndex\":2249513,\"errors\":[\"memberID:18219664082543276670 alarm:NOSPACE \"],\"dbSizeInUse\":8400896}}]\n";

    public const string Table = """
        +------------------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------------------------------+
        |        ENDPOINT        |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX |             ERRORS             |
        +------------------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------------------------------+
        | https://10.0.0.11:2379 | 7e3fdf9c1f198104 |  3.4.23 |   17 MB |     false |      false |         7 |    2249514 |            2249514 |  memberID:18219664082543276670 |
        |                        |                  |         |         |           |            |           |            |                    |                 alarm:NOSPACE  |
        | https://10.0.0.12:2379 | 5464e90a61214a02 |  3.4.23 |   17 MB |      true |      false |         7 |    2249514 |            2249514 |  memberID:18219664082543276670 |
        |                        |                  |         |         |           |            |           |            |                    |                 alarm:NOSPACE  |
        | https://10.0.0.13:2379 | fcd93ff37eef727e |  3.4.23 |   17 MB |     false |      false |         7 |    2249513 |            2249513 |  memberID:18219664082543276670 |
        |                        |                  |         |         |           |            |           |            |                    |                 alarm:NOSPACE  |
        +------------------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------------------------------+

        """;

    public const string Simple = """
        https://10.0.0.11:2379, 7e3fdf9c1f198104, 3.4.23, 17 MB, false, false, 7, 2249514, 2249514, memberID:18219664082543276670 alarm:NOSPACE 
        https://10.0.0.12:2379, 5464e90a61214a02, 3.4.23, 17 MB, true, false, 7, 2249514, 2249514, memberID:18219664082543276670 alarm:NOSPACE 
        https://10.0.0.13:2379, fcd93ff37eef727e, 3.4.23, 17 MB, false, false, 7, 2249513, 2249513, memberID:18219664082543276670 alarm:NOSPACE 

        """;

    public static string Fields { get; } = string.Concat(
        FieldsRecord(9097235633941348612, 1843216, 16834560, 2249514, "https://10.0.0.11:2379"),
        FieldsRecord(6081241627645528578, 1843216, 16834560, 2249514, "https://10.0.0.12:2379"),
        FieldsRecord(18219664082543276670, 1843215, 16838656, 2249513, "https://10.0.0.13:2379"));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string FieldsRecord(ulong member, long revision, long dbSize, ulong index, string endpoint) => $"""
        "ClusterID" : 10037665787617233566
        "MemberID" : {member}
        "Revision" : {revision}
        "RaftTerm" : 7
        "Version" : "3.4.23"
        "DBSize" : {dbSize}
        "Leader" : 6081241627645528578
        "IsLearner" : false
        "RaftIndex" : {index}
        "RaftTerm" : 7
        "RaftAppliedIndex" : {index}
        "Errors" : [memberID:18219664082543276670 alarm:NOSPACE ]
        "Endpoint" : "{endpoint}"


        """;
}
