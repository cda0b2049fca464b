using System.Security.Cryptography;

namespace EtcdMaintenance.Tests.Client;

public sealed class SnapshotVerifierTests
{
    private static byte[] SnapshotWithTrailer(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        return [.. data, .. SHA256.HashData(data)];
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(100, 1)]
    [InlineData(100, 7)]
    [InlineData(4096, 32)]
    [InlineData(4096, 31)]
    [InlineData(100_000, 32 * 1024)]
    public void Verify_AcceptsEtcdsTrailer_WhateverTheChunking(int size, int chunk)
    {
        var stream = SnapshotWithTrailer(size);
        using var verifier = new SnapshotVerifier();
        for (var i = 0; i < stream.Length; i += chunk)
        {
            verifier.Append(stream.AsSpan(i, Math.Min(chunk, stream.Length - i)));
        }

        Assert.True(verifier.TryComplete(out var sha));
        Assert.Equal(stream.Length, verifier.Length);
        Assert.Equal(Convert.ToHexStringLower(stream.AsSpan(size)), sha);
    }

    [Fact]
    public void Verify_RejectsAFlippedByte()
    {
        var stream = SnapshotWithTrailer(5000);
        stream[1234] ^= 1;
        using var verifier = new SnapshotVerifier();
        verifier.Append(stream);

        Assert.False(verifier.TryComplete(out _));
    }

    [Fact]
    public void Verify_RejectsAStreamShorterThanTheTrailer()
    {
        using var verifier = new SnapshotVerifier();
        verifier.Append(new byte[10]);

        Assert.False(verifier.TryComplete(out _));
    }
}
