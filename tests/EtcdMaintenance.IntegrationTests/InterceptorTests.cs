using EtcdMaintenance.IntegrationTests.Harness;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace EtcdMaintenance.IntegrationTests;

/// <summary><see cref="EtcdClientOptions.Interceptors"/> against a real member: every call passes through them, in order.</summary>
public sealed class InterceptorTests(SingleMemberFixture fixture) : IClassFixture<SingleMemberFixture>
{
    /// <summary>Records each unary call's method and status, under a name, in a log shared by several interceptors.</summary>
    private sealed class Recorder(string name, List<string> log) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            lock (log)
            {
                log.Add($"{name} {context.Method.FullName}");
            }

            return continuation(request, context);
        }
    }

    [Fact]
    public async Task Interceptors_SeeEveryCall_StatusIncluded_FirstOneOutermost()
    {
        var log = new List<string>();
        await using var client = fixture.Cluster.CreateClient(o => o.Interceptors = [new Recorder("outer", log), new Recorder("inner", log)]);

        var status = await client.GetStatusAsync(fixture.Cluster.Endpoint(0));
        var members = await client.ListMembersAsync();

        Assert.Equal(status.MemberId, members.Members.Single().Id);
        Assert.Equal(
            [
                "outer /etcdserverpb.Maintenance/Status", "inner /etcdserverpb.Maintenance/Status",
                "outer /etcdserverpb.Cluster/MemberList", "inner /etcdserverpb.Cluster/MemberList",
            ],
            log);
    }
}
