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

        var count = 0;
        string? other = null;
        while (json.NextProperty("a property name or '}'"))
        {
            if (!json.NameIs("alarms"u8))
            {
                json.SkipOther(ref other);
                continue;
            }

            json.Read("an array of alarms");
            if (json.TokenType != JsonTokenType.Null && json.TokenType != JsonTokenType.StartArray)
            {
                throw json.Error(EtcdctlParseErrorKind.Malformed, "an array of alarms");
            }

            while (json.TokenType != JsonTokenType.Null && json.NextObject("an alarm object or ']'", "an alarm object {\"memberID\": ..., \"alarm\": ...}"))
            {
                text.Add(first, ReadJsonAlarm(ref json));
                count++;
            }
        }

        return other is not null && count == 0 ? throw json.Error(EtcdctlParseErrorKind.WrongCommand, $"alarm list output (this is {other} output)") : json.CheckEnd();
    }

    private static EtcdAlarm ReadJsonAlarm(ref EtcdctlJson json)
    {
        ulong id = 0;
        var type = EtcdAlarmType.None;
        while (json.NextProperty("an alarm property or '}'"))
        {
            if (json.NameIs("memberID"u8))
            {
                id = json.UInt64("memberID as an unsigned 64-bit number");
            }
            else if (json.NameIs("alarm"u8))
            {
                json.Read("the alarm type");
                // Go prints the enum as its number.
                type = json.TokenType == JsonTokenType.String
                    ? TryType(json.Name()) ?? throw json.Error(EtcdctlParseErrorKind.Malformed, "NONE, NOSPACE or CORRUPT")
                    : json.TryGetInt32(out var number) && number >= 0 ? (EtcdAlarmType)number
                    : throw json.Error(EtcdctlParseErrorKind.Malformed, "an alarm type number (1 NOSPACE, 2 CORRUPT)");
            }
            else
            {
                json.SkipValue();
            }
        }

        return new EtcdAlarm(id, type);
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
