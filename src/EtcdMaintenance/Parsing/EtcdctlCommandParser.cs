using System.Buffers;
using System.Text;

namespace EtcdMaintenance.Parsing;

/// <summary>
/// What every etcdctl command parser shares: the output read by <see cref="EtcdctlText"/>, the format detected or
/// stated, standard-error lines skipped or read as failures, and the items in output order. A command's parser is one
/// subclass: a mapping per format from JSON properties, table columns, fields and simple columns to its items.
/// </summary>
internal abstract class EtcdctlCommandParser(string command, LineKind failures = LineKind.Content)
{
    /// <summary>The command, as in <c>etcdctl endpoint status</c>.</summary>
    public string Command { get; } = command;

    /// <summary>Reads the output: the format it was in, and the items and failures in output order.</summary>
    public (EtcdctlOutputFormat Format, IReadOnlyList<object> Items) Parse(string output, EtcdctlOutputFormat format)
    {
        var text = new EtcdctlText(output, Command, failures);
        if (text.FirstContent() is not { } first)
        {
            ReadEmpty(text, format);
            return (format == EtcdctlOutputFormat.Auto ? EtcdctlOutputFormat.Simple : format, text.Items);
        }

        var detected = format == EtcdctlOutputFormat.Auto ? EtcdctlText.DetectFormat(text[first]) : format;
        switch (detected)
        {
            case EtcdctlOutputFormat.Json:
                // Read from UTF-8 in a pooled buffer; only standard-error lines may come before and after the value.
                var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(output.Length));
                try
                {
                    var utf8 = rented.AsSpan(0, Encoding.UTF8.GetBytes(output, rented));
                    var end = ReadJson(text, first, utf8, Encoding.UTF8.GetByteCount(output.AsSpan(0, first.Start)));
                    text.Skip(first, Encoding.UTF8.GetCharCount(utf8[..end]));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }

                break;
            case EtcdctlOutputFormat.Table:
                ReadTable(text);
                break;
            case EtcdctlOutputFormat.Fields:
                ReadFields(text);
                break;
            default:
                ReadSimple(text);
                break;
        }

        return (detected, text.Items);
    }

    /// <summary>
    /// Output with no line of the command's own: only failures (every endpoint failed and only standard error was
    /// captured) when the command has failure lines; else nothing to read.
    /// </summary>
    protected virtual void ReadEmpty(EtcdctlText text, EtcdctlOutputFormat format)
    {
        if (failures != LineKind.Content)
        {
            text.Skip(default, 0);
        }

        if (text.Items.Count == 0)
        {
            throw text.NoOutput();
        }
    }

    /// <summary>Reads the JSON value at byte <paramref name="start"/> of <paramref name="utf8"/> (the output); returns where the lines after it start (<see cref="EtcdctlJson.CheckEnd"/>).</summary>
    protected abstract int ReadJson(EtcdctlText text, TextLine first, ReadOnlySpan<byte> utf8, int start);

    protected abstract void ReadTable(EtcdctlText text);

    protected abstract void ReadFields(EtcdctlText text);

    protected abstract void ReadSimple(EtcdctlText text);
}
