using System.Security.Cryptography;

namespace EtcdMaintenance;

/// <summary>Hashes everything but the last 32 bytes of the stream, which are etcd's SHA-256 trailer.</summary>
internal sealed class SnapshotVerifier : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _tail = new byte[32];
    private int _tailLength;

    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        Length += data.Length;
        // The tail keeps the last 32 bytes seen; whatever is pushed out of it is hashed.
        var total = _tailLength + data.Length;
        var toHash = Math.Max(0, total - _tail.Length);
        var fromTail = Math.Min(toHash, _tailLength);
        _hash.AppendData(_tail.AsSpan(0, fromTail));
        _hash.AppendData(data[..(toHash - fromTail)]);
        var keptTail = _tail.AsSpan(fromTail, _tailLength - fromTail);
        keptTail.CopyTo(_tail);
        data[(toHash - fromTail)..].CopyTo(_tail.AsSpan(keptTail.Length));
        _tailLength = total - toHash;
    }

    public void Dispose() => _hash.Dispose();

    public bool TryComplete(out string sha256)
    {
        var digest = _hash.GetHashAndReset();
        sha256 = Convert.ToHexStringLower(digest);
        return _tailLength == _tail.Length && digest.AsSpan().SequenceEqual(_tail);
    }
}
