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
                text.Skip(text.Lines.Take(first.Number - 1));
                var end = ReadJson(text, first, text.ByteOffset(first));
                text.SkipFrom(end);
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
            text.Skip(text.Lines);
        }

        if (text.Items.Count == 0)
        {
            throw text.NoOutput();
        }
    }

    /// <summary>Reads the JSON value at <paramref name="start"/> (a byte offset in <see cref="EtcdctlText.Utf8"/>); returns where the lines after it start (<see cref="EtcdctlJson.CheckEnd"/>).</summary>
    protected abstract int ReadJson(EtcdctlText text, TextLine first, int start);

    protected abstract void ReadTable(EtcdctlText text);

    protected abstract void ReadFields(EtcdctlText text);

    protected abstract void ReadSimple(EtcdctlText text);
}
