using System.Globalization;
using System.Text.Json;
using static EtcdMaintenance.Parsing.ParseSupport;

namespace EtcdMaintenance.Parsing;

/// <summary>Parses <c>etcdctl alarm list</c> output: <c>-w simple</c> (the default), <c>-w json</c> and <c>-w fields</c>.</summary>
internal static class AlarmListParser
{
    private const string Command = "alarm list";

    public static IReadOnlyList<EtcdAlarm> Parse(string output, EtcdctlOutputFormat format)
    {
        var text = new OutputText(output);
        var first = OutputLines.FirstContent(text);
        if (first is null)
        {
            // No alarm: etcdctl prints nothing in -w simple. Only its own error line means it failed.
            var failed = text.Lines.FirstOrDefault(l => text[l].Trim().StartsWith("Error:", StringComparison.Ordinal));
            if (failed != default || format is EtcdctlOutputFormat.Json or EtcdctlOutputFormat.Table)
            {
                throw NoOutput(text, "etcdctl alarm list output");
            }

            RejectForeignLines(text, text.Lines, Command);
            return [];
        }

        var detected = format == EtcdctlOutputFormat.Auto ? OutputLines.DetectFormat(text[first.Value]) : format;
        return detected switch
        {
            EtcdctlOutputFormat.Json => ParseJson(text, first.Value),
            EtcdctlOutputFormat.Fields => ParseFields(text),
            EtcdctlOutputFormat.Table => throw new EtcdctlParseException(new EtcdctlParseError(
                EtcdctlParseErrorKind.UnsupportedFormat, first.Value.Number, 1, "alarm list output in -w simple, -w json or -w fields (etcdctl has no table for alarms)", null)),
            _ => ParseSimple(text),
        };
    }

    private static List<EtcdAlarm> ParseSimple(OutputText text)
    {
        var alarms = new List<EtcdAlarm>();
        foreach (var line in text.Lines)
        {
            var span = text[line];
            if (OutputLines.Classify(span) != LineKind.Content)
            {
                RejectForeignLines(text, [line], Command);
                continue;
            }

            // memberID:10276657743932975437 alarm:NOSPACE
            var lead = span.Length - span.TrimStart().Length;
            var trimmed = span.Trim();
            var space = trimmed.IndexOf(' ');
            if (!trimmed.StartsWith("memberID:", StringComparison.Ordinal) || space < 0 ||
                !trimmed[(space + 1)..].TrimStart().StartsWith("alarm:", StringComparison.Ordinal))
            {
                var other = CommandOfSimple(span);
                throw text.Error(other is not null ? EtcdctlParseErrorKind.WrongCommand : EtcdctlParseErrorKind.Malformed, line, lead,
                    other is not null ? $"alarm list output (this line is {other} output)" : "'memberID:<decimal ID> alarm:<TYPE>'");
            }

            var idText = trimmed["memberID:".Length..space];
            if (!ulong.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw text.Error(EtcdctlParseErrorKind.Malformed, line, lead + "memberID:".Length, "a decimal member ID");
            }

            var typeText = trimmed[(space + 1)..].TrimStart()["alarm:".Length..];
            var typeColumn = lead + trimmed.Length - typeText.Length;
            alarms.Add(new EtcdAlarm(id, TypeFromName(text, line, typeColumn, typeText.ToString())));
        }

        return alarms;
    }

    private static List<EtcdAlarm> ParseJson(OutputText text, TextLine first)
    {
        RejectForeignLines(text, Before(text, first), Command);
        var json = new EtcdctlJson(text.Utf8, text.ByteOffset(first), stackalloc JsonName[64]);
        json.Read("a JSON object");
        if (json.TokenType != JsonTokenType.StartObject)
        {
            throw json.Error(json.TokenType == JsonTokenType.StartArray ? EtcdctlParseErrorKind.WrongCommand : EtcdctlParseErrorKind.Malformed,
                "alarm list output, a JSON object such as {\"alarms\":[...]}");
        }

        var alarms = new List<EtcdAlarm>();
        string? other = null;
        while (true)
        {
            json.Read("a property name or '}'");
            if (json.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            if (json.NameIs("alarms"u8))
            {
                json.Read("an array of alarms");
                if (json.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (json.TokenType != JsonTokenType.StartArray)
                {
                    throw json.Error(EtcdctlParseErrorKind.Malformed, "an array of alarms");
                }

                while (true)
                {
                    json.Read("an alarm object or ']'");
                    if (json.TokenType == JsonTokenType.EndArray)
                    {
                        break;
                    }

                    if (json.TokenType != JsonTokenType.StartObject)
                    {
                        throw json.Error(EtcdctlParseErrorKind.Malformed, "an alarm object {\"memberID\": ..., \"alarm\": ...}");
                    }

                    alarms.Add(ReadJsonAlarm(ref json));
                }
            }
            else
            {
                other ??= json.NameIs("members"u8) ? "member list" : json.NameIs("kvs"u8) || json.NameIs("count"u8) ? "get" : null;
                json.SkipValue();
            }
        }

        if (other is not null && alarms.Count == 0)
        {
            throw json.Error(EtcdctlParseErrorKind.WrongCommand, $"alarm list output (this is {other} output)");
        }

        RejectForeignLines(text, text.LinesFrom(json.CheckEnd()), Command);
        return alarms;
    }

    private static EtcdAlarm ReadJsonAlarm(ref EtcdctlJson json)
    {
        ulong id = 0;
        var type = EtcdAlarmType.None;
        while (true)
        {
            json.Read("an alarm property or '}'");
            if (json.TokenType == JsonTokenType.EndObject)
            {
                return new EtcdAlarm(id, type);
            }

            if (json.NameIs("memberID"u8))
            {
                id = json.UInt64("memberID as an unsigned 64-bit number");
            }
            else if (json.NameIs("alarm"u8))
            {
                json.Read("the alarm type");
                if (json.TokenType == JsonTokenType.String)
                {
                    type = TryType(json.Name(), out var named) ? named : throw json.Error(EtcdctlParseErrorKind.Malformed, "NONE, NOSPACE or CORRUPT");
                }
                else
                {
                    // Go prints the enum as its number.
                    type = json.TryGetInt32(out var number) && number >= 0
                        ? (EtcdAlarmType)number
                        : throw json.Error(EtcdctlParseErrorKind.Malformed, "an alarm type number (1 NOSPACE, 2 CORRUPT)");
                }
            }
            else
            {
                json.SkipValue();
            }
        }
    }

    private static List<EtcdAlarm> ParseFields(OutputText text)
    {
        var others = new List<TextLine>();
        var fields = FieldsText.Read(text, others);
        RejectForeignLines(text, others, Command);
        var other = CommandOfFields(fields.Select(f => f.Key));
        if (other is not null && other != Command)
        {
            throw text.Error(EtcdctlParseErrorKind.WrongCommand, fields[0].Line, 0, $"alarm list output (this is {other} output)");
        }

        // The header (ClusterID, MemberID, Revision, RaftTerm), then a MemberID and an AlarmType per alarm.
        var alarms = new List<EtcdAlarm>();
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Key != "AlarmType")
            {
                continue;
            }

            if (i == 0 || fields[i - 1].Key != "MemberID")
            {
                throw text.Error(EtcdctlParseErrorKind.Malformed, fields[i].Line, 0, "a \"MemberID\" line before each \"AlarmType\"");
            }

            alarms.Add(new EtcdAlarm(FieldsText.UInt64(text, fields[i - 1]), TypeFromName(text, fields[i].Line, fields[i].ValueColumn, fields[i].Value)));
        }

        var lastKey = fields[^1].Key;
        if (lastKey == "MemberID" && fields.Count(f => f.Key == "MemberID") > 1)
        {
            throw text.EndOfOutput("an \"AlarmType\" line after the last \"MemberID\"");
        }

        return alarms;
    }

    private static EtcdAlarmType TypeFromName(OutputText text, TextLine line, int column, string name) =>
        TryType(name.Trim(), out var type) ? type : throw text.Error(EtcdctlParseErrorKind.Malformed, line, column, "an alarm type: NONE, NOSPACE or CORRUPT");

    private static bool TryType(string name, out EtcdAlarmType type)
    {
        type = name switch
        {
            "NONE" => EtcdAlarmType.None,
            "NOSPACE" => EtcdAlarmType.NoSpace,
            "CORRUPT" => EtcdAlarmType.Corrupt,
            _ => (EtcdAlarmType)(-1),
        };
        return (int)type >= 0;
    }
}
