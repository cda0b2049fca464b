using System.Net;
using EtcdMaintenance.Operations;
using EtcdMaintenance.Tests.Infrastructure;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Tests.Client;

/// <summary>The quota read from a member's metrics: parsing etcd's text, caching, and reasons (no sockets: a fake handler).</summary>
public sealed class MemberQuotaCacheTests
{
    private static readonly EtcdEndpoint s_endpoint = EtcdEndpoint.Parse("https://10.0.0.1:2379");

    // Lines as etcd 3.4.23 and 3.5.30 print them at GET /metrics.
    private const string Metrics = """
        # HELP etcd_server_quota_backend_bytes Current backend storage quota size in bytes.
        # TYPE etcd_server_quota_backend_bytes gauge
        etcd_server_quota_backend_bytes 1.6777216e+07
        # HELP etcd_server_read_indexes_failed_total The total number of failed read indexes seen.
        """;

    [Theory]
    [InlineData("etcd_server_quota_backend_bytes 1.6777216e+07", 16777216L)]
    [InlineData("etcd_server_quota_backend_bytes 2.147483648e+09", 2147483648L)]
    [InlineData("etcd_server_quota_backend_bytes 8.589934592e+09", 8589934592L)]
    [InlineData("etcd_server_quota_backend_bytes 5.0331648e+07 1700000000000", 50331648L)]
    [InlineData("etcd_server_quota_backend_bytes_total 1\netcd_server_quota_backend_bytes 25165824", 25165824L)]
    public void ParseQuota_ReadsGoFloatNotationExactly(string text, long expected)
    {
        Assert.Equal(expected, MemberQuotaCache.ParseQuota(new StringReader(text), out var reason));
        Assert.Null(reason);
    }

    [Theory]
    [InlineData("etcd_server_quota_backend_bytes NaN", "not a positive whole number")]
    [InlineData("etcd_server_quota_backend_bytes 1.5", "not a positive whole number")]
    [InlineData("etcd_server_quota_backend_bytes -1", "not a positive whole number")]
    [InlineData("etcd_server_quota_backend_bytes_total 5\n# TYPE x gauge", "hold no etcd_server_quota_backend_bytes")]
    public void ParseQuota_OfSomethingElse_GivesTheReason(string text, string reason)
    {
        Assert.Null(MemberQuotaCache.ParseQuota(new StringReader(text), out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ReadsMetricsOncePerLifetime_AndAgainWhenForgottenOrExpired()
    {
        var time = new FakeTimeProvider();
        var handler = new MetricsHandler(HttpStatusCode.OK, Metrics);
        using var cache = new MemberQuotaCache(_ => handler, time, TimeSpan.FromSeconds(5), NullLogger.Instance);

        var first = await cache.ApplyAsync(s_endpoint, Status(), default);
        var second = await cache.ApplyAsync(s_endpoint, Status(), default);

        Assert.Equal(16777216, first.DbSizeQuota);
        Assert.Equal(EtcdQuotaSource.Metrics, first.QuotaSource);
        Assert.Equal(0.5, first.QuotaUsage);
        Assert.Equal(first, second);
        Assert.Equal(1, handler.Requests);
        Assert.Equal("https://10.0.0.1:2379/metrics", handler.LastUrl);

        time.Advance(MemberQuotaCache.ReadingLifetime);
        await cache.ApplyAsync(s_endpoint, Status(), default);
        Assert.Equal(2, handler.Requests);

        cache.Forget(s_endpoint);
        await cache.ApplyAsync(s_endpoint, Status(), default);
        Assert.Equal(3, handler.Requests);

        // Another member on the same endpoint (a replacement) is read again.
        await cache.ApplyAsync(s_endpoint, Status() with { MemberId = new MemberId(99) }, default);
        Assert.Equal(4, handler.Requests);
    }

    [Fact]
    public async Task Apply_WhenTheMemberOrTheOptionsGiveTheQuota_ReadsNoMetrics()
    {
        var handler = new MetricsHandler(HttpStatusCode.OK, Metrics);
        using var cache = new MemberQuotaCache(_ => handler, new FakeTimeProvider(), TimeSpan.FromSeconds(5), NullLogger.Instance);
        var reported = Status() with { DbSizeQuota = 1 << 30 };
        var configured = Status() with { DbSizeQuota = 1 << 20, QuotaSource = EtcdQuotaSource.Configured };

        Assert.Same(reported, await cache.ApplyAsync(s_endpoint, reported, default));
        Assert.Same(configured, await cache.ApplyAsync(s_endpoint, configured, default));
        Assert.Equal(EtcdQuotaSource.StatusResponse, reported.QuotaSource);
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public async Task Apply_WhenMetricsCannotBeRead_SaysWhyAndAsksAgainAfterTheFailureLifetime()
    {
        var time = new FakeTimeProvider();
        var handler = new MetricsHandler(HttpStatusCode.Forbidden, "no");
        using var cache = new MemberQuotaCache(_ => handler, time, TimeSpan.FromSeconds(5), NullLogger.Instance);

        var status = await cache.ApplyAsync(s_endpoint, Status(), default);

        Assert.Null(status.DbSizeQuota);
        Assert.Equal(EtcdQuotaSource.Unknown, status.QuotaSource);
        Assert.Equal("GET https://10.0.0.1:2379/metrics answered 403 Forbidden", status.QuotaUnavailableReason);
        await cache.ApplyAsync(s_endpoint, Status(), default);
        Assert.Equal(1, handler.Requests);
        time.Advance(MemberQuotaCache.FailureLifetime);
        await cache.ApplyAsync(s_endpoint, Status(), default);
        Assert.Equal(2, handler.Requests);
    }

    [Theory]
    [InlineData("etcd Version: 3.5.30", "3.5.30")]
    [InlineData("3.4.23", "3.4.23")]
    [InlineData("3.6.0-rc.1", "3.6.0")]
    [InlineData("v3.5", "3.5.0")]
    public void Version_ParsesEtcdVersions(string text, string expected)
    {
        var line = text.StartsWith("etcd Version:", StringComparison.Ordinal) ? text["etcd Version:".Length..] : text;
        Assert.True(EtcdBinaryVersion.TryParse(line, out var version));
        Assert.Equal(Version.Parse(expected), version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-version")]
    [InlineData("3")]
    public void Version_RefusesWhatIsNotAVersion(string text) => Assert.False(EtcdBinaryVersion.TryParse(text, out _));

    private static EndpointStatus Status() =>
        new(s_endpoint.Text, new MemberId(7), "3.5.30", 8 * 1024 * 1024, new MemberId(7), 10, 2, 10) { DbSizeInUse = 4 * 1024 * 1024 };

    private sealed class MetricsHandler(HttpStatusCode code, string body) : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public string? LastUrl { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            LastUrl = request.RequestUri?.ToString();
            return Task.FromResult(new HttpResponseMessage(code) { Content = new StringContent(body), RequestMessage = request });
        }
    }
}
