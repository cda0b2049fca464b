using System.Text.Json;

namespace EtcdMaintenance.Parsing;

/// <summary>Parses <c>etcdctl alarm list</c> output: <c>-w simple</c> (the default), <c>-w json</c> and <c>-w fields</c>.</summary>
internal sealed class AlarmListParser() : EtcdctlCommandParser("alarm list")
{
    public static readonly AlarmListParser Instance = new();

    /// <summary>No alarm: etcdctl prints nothing in -w simple. Only its own error line means it failed.</summary>
    protected override void ReadEmpty(EtcdctlText text, EtcdctlOutputFormat format)
    {
        if (format is EtcdctlOutputFormat.Json or EtcdctlOutputFormat.Table || text.Lines.Any(l => EtcdctlText.IsErrorLine(text[l])))
        {
            throw text.NoOutput();
        }

        text.Skip(default, 0);
    }

    protected override void ReadTable(EtcdctlText text) => throw new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.UnsupportedFormat,
        text.FirstContent()!.Value.Number, 1, "alarm list output in -w simple, -w json or -w fields (etcdctl has no table for alarms)", null));

    protected override void ReadSimple(EtcdctlText text)
    {
        foreach (var line in text.ContentLines())
        {
            // memberID:10276657743932975437 alarm:NOSPACE
            var span = text[line];
            var lead = span.Length - span.TrimStart().Length;
            var trimmed = span.Trim();
            var space = trimmed.IndexOf(' ');
            if (!trimmed.StartsWith("memberID:", StringComparison.Ordinal) || space < 0 || !trimmed[(space + 1)..].TrimStart().StartsWith("alarm:", StringComparison.Ordinal))
            {
                throw text.WrongCommandOr(text.CommandOfSimple(line), line, lead, "'memberID:<decimal ID> alarm:<TYPE>'");
            }

            var type = trimmed[(space + 1)..].TrimStart()["alarm:".Length..];
            text.Add(line, new EtcdAlarm(
                text.UInt64(new Cell("memberID", trimmed["memberID:".Length..space].ToString(), line, lead + "memberID:".Length)),
                Type(text, new Cell("alarm", type.ToString(), line, lead + trimmed.Length - type.Length))));
        }
    }

    protected override int ReadJson(EtcdctlText text, TextLine first, ReadOnlySpan<byte> utf8, int start)
    {
        // {"header": {...}, "alarms": [{"memberID": 1, "alarm": 1}]}
        var json = new EtcdctlJson(utf8, start, stackalloc JsonName[64]);
        json.Start(JsonTokenType.StartObject, "alarm list output, a JSON object such as {\"alarms\":[...]}");
        Span<JsonValue> values = stackalloc JsonValue[1];
        var other = json.ReadObject("alarms"u8, values, "a property name or '}'");
        var count = 0;
        if (values[0].Found && values[0].Type != JsonTokenType.Null)
        {
            var alarms = json.Array(values[0], "an array of alarms");
            while (alarms.NextObject("an alarm object or ']'", "an alarm object {\"memberID\": ..., \"alarm\": ...}"))
            {
                text.Add(first, ReadJsonAlarm(ref alarms));
                count++;
            }
        }

        return other is not null && count == 0 ? throw json.Error(EtcdctlParseErrorKind.WrongCommand, $"alarm list output (this is {other} output)") : json.CheckEnd();
    }

    private static EtcdAlarm ReadJsonAlarm(ref EtcdctlJson json)
    {
        Span<JsonValue> v = stackalloc JsonValue[2];
        json.ReadObject("memberID alarm"u8, v, "an alarm property or '}'");
        const string number = "an alarm type number (1 NOSPACE, 2 CORRUPT)";
        // Go prints the enum as its number.
        var type = !v[1].Found ? EtcdAlarmType.None
            : v[1].Type == JsonTokenType.String ? TryType(json.String(v[1], "the alarm type")!) ?? throw json.ErrorAt(v[1], "NONE, NOSPACE or CORRUPT")
            : json.Int64(v[1], number) is long value and >= 0 and <= int.MaxValue ? (EtcdAlarmType)value : throw json.ErrorAt(v[1], number);
        return new EtcdAlarm(json.UInt64(v[0], "memberID as an unsigned 64-bit number") ?? 0, type);
    }

    protected override void ReadFields(EtcdctlText text)
    {
        // The header (ClusterID, MemberID, Revision, RaftTerm), then a MemberID and an AlarmType per alarm.
        var fields = text.ReadFields();
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Name == "AlarmType")
            {
                text.Add(fields[i].Line, i > 0 && fields[i - 1].Name == "MemberID"
                    ? new EtcdAlarm(text.UInt64(fields[i - 1]), Type(text, fields[i]))
                    : throw text.Error(EtcdctlParseErrorKind.Malformed, fields[i].Line, 0, "a \"MemberID\" line before each \"AlarmType\""));
            }
        }

        if (fields[^1].Name == "MemberID" && fields.Count(f => f.Name == "MemberID") > 1)
        {
            throw EtcdctlText.Truncated(text.Lines[^1], "an \"AlarmType\" line after the last \"MemberID\"");
        }
    }

    private static EtcdAlarmType Type(EtcdctlText text, Cell cell) =>
        TryType(cell.Value.Trim()) ?? throw text.Error(cell, "an alarm type: NONE, NOSPACE or CORRUPT");

    private static EtcdAlarmType? TryType(string name) => name switch
    {
        "NONE" => EtcdAlarmType.None,
        "NOSPACE" => EtcdAlarmType.NoSpace,
        "CORRUPT" => EtcdAlarmType.Corrupt,
        _ => null,
    };
}
