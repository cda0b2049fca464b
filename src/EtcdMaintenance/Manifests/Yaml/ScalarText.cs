using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace EtcdMaintenance.Manifests.Yaml;

/// <summary>Writes one-line YAML scalars in a chosen style, falling back to double quotes when that style cannot hold the value.</summary>
internal static partial class ScalarText
{
    /// <summary>
    /// Plain scalars that YAML 1.1 (go-yaml, which Kubernetes and kubeadm use) or YAML 1.2 read as a number. Generous on
    /// purpose: quoting a string that did not need it is harmless, leaving a number unquoted where a string is required is not.
    /// </summary>
    [GeneratedRegex(@"^[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])*(\.[0-9_.]*)?([eE][-+]?[0-9]+)?|\.[0-9][0-9_]*([eE][-+]?[0-9]+)?|\.(inf|Inf|INF))$|^\.(nan|NaN|NAN)$|^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", RegexOptions.CultureInvariant)]
    private static partial Regex NonStringPlain();

    private static readonly HashSet<string> s_reserved = new(StringComparer.Ordinal)
    {
        "", "~", "null", "Null", "NULL",
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
        "=", "<<",
    };

    /// <summary>Whether a plain scalar with this text reads as a string (not null, a boolean, a number or a timestamp).</summary>
    public static bool ResolvesToString(string plain) => !s_reserved.Contains(plain) && !NonStringPlain().IsMatch(plain);

    /// <summary>Whether the value can be written as a plain scalar in block context and read back unchanged.</summary>
    public static bool IsPlainSafe(string value)
    {
        if (value.Length == 0 || value[0] is ' ' or '\t' || value[^1] is ' ' or '\t' or ':')
        {
            return false;
        }

        if (value.StartsWith("---", StringComparison.Ordinal) || value.StartsWith("...", StringComparison.Ordinal))
        {
            return false;
        }

        var first = value[0];
        if ("?:,[]{}#&*!|>'\"%@`".Contains(first, StringComparison.Ordinal))
        {
            return false;
        }

        if (first == '-' && (value.Length == 1 || value[1] is ' ' or '\t'))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' or '\uFEFF')
            {
                return false;
            }
        }

        return !value.Contains(": ", StringComparison.Ordinal) && !value.Contains(" #", StringComparison.Ordinal)
            && !value.Contains(":\t", StringComparison.Ordinal) && !value.Contains("\t#", StringComparison.Ordinal);
    }

    /// <summary>
    /// Writes <paramref name="value"/> in <paramref name="preferred"/> style if that style can hold it; otherwise in double quotes.
    /// With <paramref name="mustReadAsString"/>, a plain scalar that would read as a number, boolean or null is quoted.
    /// </summary>
    public static string Format(string value, ScalarStyle preferred, bool mustReadAsString)
    {
        if (preferred is ScalarStyle.Plain or ScalarStyle.Any or ScalarStyle.Literal or ScalarStyle.Folded
            && IsPlainSafe(value) && (!mustReadAsString || ResolvesToString(value)))
        {
            return value;
        }

        if (preferred == ScalarStyle.SingleQuoted && !value.Any(char.IsControl))
        {
            return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
        }

        return DoubleQuote(value);
    }

    public static string DoubleQuote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' or '\uFEFF')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
