using System.Globalization;

namespace EtcdMaintenance.Operations;

/// <summary>What a defragmentation rule looks at on one member's status.</summary>
public enum DefragMetric
{
    /// <summary><c>(dbSize - dbSizeInUse) / dbSize</c>, 0..1 (<c>fragmentation</c>).</summary>
    FragmentationRatio,
    /// <summary><c>dbSize - dbSizeInUse</c> in bytes (<c>fragmentedBytes</c>, or <c>dbSize - dbSizeInUse</c>).</summary>
    FragmentedBytes,
    /// <summary>The database file size in bytes (<c>dbSize</c>).</summary>
    DbSize,
    /// <summary>The bytes in use (<c>dbSizeInUse</c>).</summary>
    DbSizeInUse,
    /// <summary><c>dbSize / quota</c> (<c>quotaUsage</c>, or etcd-defrag's <c>dbQuotaUsage</c>).</summary>
    QuotaUsage,
}

/// <summary>A comparison operator in a rule.</summary>
public enum DefragComparison
{
    /// <summary><c>&gt;</c></summary>
    GreaterThan,
    /// <summary><c>&gt;=</c></summary>
    AtLeast,
    /// <summary><c>&lt;</c></summary>
    LessThan,
    /// <summary><c>&lt;=</c></summary>
    AtMost,
}

/// <summary>Whether a member should be defragmented, and why (the values the rule saw).</summary>
public sealed record DefragDecision
{
    /// <summary>Whether the rule holds.</summary>
    public required bool Defragment { get; init; }

    /// <summary>The values and thresholds compared, e.g. <c>fragmentation 52% &gt;= 45% and dbSize 120.0 MB &gt;= 100.0 MB</c>.</summary>
    public required string Reason { get; init; }
}

/// <summary>
/// A rule deciding whether a member's defragment is worth it: comparisons on its status combined with and/or, written
/// like etcd-defrag's rules (<c>quotaUsage &gt; 0.8 || fragmentedBytes &gt; 200MiB</c>) and parsed by <see cref="Parse"/>.
/// </summary>
/// <remarks>
/// Rules see what etcd reports. etcd's backend (bbolt) counts pages freed by a compaction as free only once later
/// write transactions have committed, so an idle cluster can report little fragmentation right after a compaction.
/// </remarks>
public abstract record DefragCondition
{
    private protected DefragCondition()
    {
    }

    /// <summary>Always defragment (what the plain runbook does).</summary>
    public static DefragCondition Always { get; } = new AlwaysCondition();

    /// <summary>
    /// OpenShift's etcd operator: fragmentation at least 45% and a database of at least 100 MB
    /// (<c>fragmentation &gt;= 45% &amp;&amp; dbSize &gt;= 100MB</c>).
    /// </summary>
    public static DefragCondition OpenShift { get; } =
        new Compare(DefragMetric.FragmentationRatio, DefragComparison.AtLeast, 0.45) & new Compare(DefragMetric.DbSize, DefragComparison.AtLeast, 100_000_000);

    /// <summary>etcd-defrag's documented rule: quota usage over 80% or more than 200 MiB fragmented (<c>quotaUsage &gt; 0.8 || fragmentedBytes &gt; 200MiB</c>).</summary>
    public static DefragCondition EtcdDefrag { get; } =
        new Compare(DefragMetric.QuotaUsage, DefragComparison.GreaterThan, 0.8) | new Compare(DefragMetric.FragmentedBytes, DefragComparison.GreaterThan, 200L * 1024 * 1024);

    /// <summary>A single comparison.</summary>
    public static DefragCondition When(DefragMetric metric, DefragComparison comparison, double threshold) => new Compare(metric, comparison, threshold);

    /// <summary>Both conditions.</summary>
    public static DefragCondition operator &(DefragCondition left, DefragCondition right) => new AllOf(left, right);

    /// <summary>Either condition.</summary>
    public static DefragCondition operator |(DefragCondition left, DefragCondition right) => new AnyOf(left, right);

    /// <summary>Both conditions (named alternative to <c>&amp;</c>).</summary>
    public DefragCondition BitwiseAnd(DefragCondition other) => this & other;

    /// <summary>Either condition (named alternative to <c>|</c>).</summary>
    public DefragCondition BitwiseOr(DefragCondition other) => this | other;

    /// <summary>Evaluates the rule on one member's status.</summary>
    public abstract DefragDecision Evaluate(EndpointStatus status);

    /// <summary>
    /// Parses a rule: comparisons <c>metric op value</c> joined by <c>&amp;&amp;</c> and <c>||</c> (and binds tighter),
    /// with parentheses. Metrics: <c>fragmentation</c>, <c>fragmentedBytes</c> (or <c>dbSize - dbSizeInUse</c>),
    /// <c>dbSize</c>, <c>dbSizeInUse</c>, <c>quotaUsage</c> (or <c>dbQuotaUsage</c>); operators <c>&gt; &gt;= &lt; &lt;=</c>; values
    /// plain numbers, percentages (<c>45%</c>) or sizes (<c>100MB</c>, <c>200MiB</c>, <c>2GiB</c>). <c>always</c> is always true.
    /// </summary>
    /// <exception cref="FormatException">The rule does not parse; the message says where and what was expected.</exception>
    public static DefragCondition Parse(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var parser = new RuleParser(rule);
        var condition = parser.ParseRule();
        return condition;
    }

    /// <summary>The rule in the syntax <see cref="Parse"/> reads.</summary>
    public abstract override string ToString();

    private sealed record AlwaysCondition : DefragCondition
    {
        public override DefragDecision Evaluate(EndpointStatus status) => new DefragDecision
        {
            Defragment = true,
            Reason = "no rule limits it (every voting member)",
        };

        public override string ToString() => "always";
    }

    private sealed record Compare(DefragMetric Metric, DefragComparison Comparison, double Threshold) : DefragCondition
    {
        public override DefragDecision Evaluate(EndpointStatus status)
        {
            double? value = Metric switch
            {
                DefragMetric.FragmentationRatio => status.FragmentationRatio,
                DefragMetric.FragmentedBytes => status.FragmentedBytes,
                DefragMetric.DbSize => status.DbSize,
                DefragMetric.DbSizeInUse => status.DbSizeInUse,
                DefragMetric.QuotaUsage => status.QuotaUsage,
                _ => null,
            };
            if (value is not { } v)
            {
                return new DefragDecision
                {
                    Defragment = false,
                    Reason = $"{Name(Metric)} unknown ({(Metric == DefragMetric.QuotaUsage ? $"quota unknown: {status.QuotaUnavailableReason ?? "not reported"}; set QuotaBackendBytes" : "dbSizeInUse not reported")})",
                };
            }

            var holds = Comparison switch
            {
                DefragComparison.GreaterThan => v > Threshold,
                DefragComparison.AtLeast => v >= Threshold,
                DefragComparison.LessThan => v < Threshold,
                _ => v <= Threshold,
            };
            var op = holds ? Symbol(Comparison) : Negated(Comparison);
            return new DefragDecision
            {
                Defragment = holds,
                Reason = $"{Name(Metric)} {FormatValue(Metric, v)} {op} {FormatValue(Metric, Threshold)}",
            };
        }

        public override string ToString() => $"{Name(Metric)} {Symbol(Comparison)} {FormatValue(Metric, Threshold, forRule: true)}";
    }

    private sealed record AllOf(DefragCondition Left, DefragCondition Right) : DefragCondition
    {
        public override DefragDecision Evaluate(EndpointStatus status)
        {
            var left = Left.Evaluate(status);
            var right = Right.Evaluate(status);
            var holds = left.Defragment && right.Defragment;
            // When it fails, say only what failed.
            var reason = holds ? $"{left.Reason} and {right.Reason}" : string.Join(" and ", new[] { left, right }.Where(d => !d.Defragment).Select(d => d.Reason));
            return new DefragDecision { Defragment = holds, Reason = reason };
        }

        public override string ToString() => $"{Wrap(Left, this)} && {Wrap(Right, this)}";
    }

    private sealed record AnyOf(DefragCondition Left, DefragCondition Right) : DefragCondition
    {
        public override DefragDecision Evaluate(EndpointStatus status)
        {
            var left = Left.Evaluate(status);
            var right = Right.Evaluate(status);
            var holds = left.Defragment || right.Defragment;
            var reason = holds ? string.Join(" or ", new[] { left, right }.Where(d => d.Defragment).Select(d => d.Reason)) : $"{left.Reason} and {right.Reason}";
            return new DefragDecision { Defragment = holds, Reason = reason };
        }

        public override string ToString() => $"{Left} || {Right}";
    }

    private static string Wrap(DefragCondition inner, DefragCondition outer) => inner is AnyOf && outer is AllOf ? $"({inner})" : inner.ToString();

    private static string Name(DefragMetric metric) => metric switch
    {
        DefragMetric.FragmentationRatio => "fragmentation",
        DefragMetric.FragmentedBytes => "fragmentedBytes",
        DefragMetric.DbSize => "dbSize",
        DefragMetric.DbSizeInUse => "dbSizeInUse",
        _ => "quotaUsage",
    };

    private static string Symbol(DefragComparison comparison) => comparison switch
    {
        DefragComparison.GreaterThan => ">",
        DefragComparison.AtLeast => ">=",
        DefragComparison.LessThan => "<",
        _ => "<=",
    };

    private static string Negated(DefragComparison comparison) => comparison switch
    {
        DefragComparison.GreaterThan => "<=",
        DefragComparison.AtLeast => "<",
        DefragComparison.LessThan => ">=",
        _ => ">",
    };

    private static string FormatValue(DefragMetric metric, double value, bool forRule = false)
    {
        if (metric is DefragMetric.FragmentationRatio or DefragMetric.QuotaUsage)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{value * 100:0.##}%");
        }

        if (forRule)
        {
            return value.ToString("0", CultureInfo.InvariantCulture);
        }

        return value >= 1_000_000 ? string.Create(CultureInfo.InvariantCulture, $"{value / 1_000_000:0.0} MB") : string.Create(CultureInfo.InvariantCulture, $"{value:0} B");
    }

    /// <summary>Recursive descent over the rule text.</summary>
    private ref struct RuleParser(string text)
    {
        private readonly string _text = text;
        private int _position;

        public DefragCondition ParseRule()
        {
            SkipSpaces();
            if (_position == _text.Length)
            {
                throw Error("a rule such as 'fragmentation >= 45% && dbSize >= 100MB'");
            }

            var condition = ParseOr();
            SkipSpaces();
            return _position == _text.Length ? condition : throw Error("'&&', '||' or the end of the rule");
        }

        private DefragCondition ParseOr()
        {
            var left = ParseAnd();
            while (TryConsume("||"))
            {
                left = new AnyOf(left, ParseAnd());
            }

            return left;
        }

        private DefragCondition ParseAnd()
        {
            var left = ParsePrimary();
            while (TryConsume("&&"))
            {
                left = new AllOf(left, ParsePrimary());
            }

            return left;
        }

        private DefragCondition ParsePrimary()
        {
            if (TryConsume("("))
            {
                var inner = ParseOr();
                return TryConsume(")") ? inner : throw Error("')'");
            }

            var name = ReadWord();
            if (name.Equals("always", StringComparison.OrdinalIgnoreCase))
            {
                return Always;
            }

            DefragMetric metric = name.ToUpperInvariant() switch
            {
                "FRAGMENTATION" or "FRAGMENTATIONRATIO" => DefragMetric.FragmentationRatio,
                "FRAGMENTEDBYTES" => DefragMetric.FragmentedBytes,
                "DBSIZE" => DefragMetric.DbSize,
                "DBSIZEINUSE" => DefragMetric.DbSizeInUse,
                "QUOTAUSAGE" or "DBQUOTAUSAGE" => DefragMetric.QuotaUsage,
                _ => throw Error("a metric (fragmentation, fragmentedBytes, dbSize, dbSizeInUse, quotaUsage)", name),
            };
            var mark = _position;
            if (metric == DefragMetric.DbSize && TryConsume("-"))
            {
                var subtrahend = ReadWord();
                if (!subtrahend.Equals("dbSizeInUse", StringComparison.OrdinalIgnoreCase))
                {
                    _position = mark;
                    throw Error("'dbSizeInUse' after 'dbSize -'", subtrahend);
                }

                metric = DefragMetric.FragmentedBytes;
            }

            var comparison = TryConsume(">=") ? DefragComparison.AtLeast
                : TryConsume("<=") ? DefragComparison.AtMost
                : TryConsume(">") ? DefragComparison.GreaterThan
                : TryConsume("<") ? DefragComparison.LessThan
                : throw Error("a comparison (>, >=, <, <=)");
            return new Compare(metric, comparison, ReadValue(metric));
        }

        private double ReadValue(DefragMetric metric)
        {
            SkipSpaces();
            var start = _position;
            while (_position < _text.Length && (char.IsAsciiDigit(_text[_position]) || _text[_position] == '.'))
            {
                _position++;
            }

            if (!double.TryParse(_text.AsSpan(start, _position - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                _position = start;
                throw Error("a number, percentage or size (45%, 0.8, 100MB, 200MiB)");
            }

            var unitStart = _position;
            while (_position < _text.Length && (char.IsAsciiLetter(_text[_position]) || _text[_position] == '%'))
            {
                _position++;
            }

            var unit = _text[unitStart.._position];
            double? multiplier = unit.ToUpperInvariant() switch
            {
                "" => 1,
                "%" => 0.01,
                "B" => 1,
                "KB" => 1e3,
                "MB" => 1e6,
                "GB" => 1e9,
                "KIB" => 1024,
                "MIB" => 1024.0 * 1024,
                "GIB" => 1024.0 * 1024 * 1024,
                _ => null,
            };
            var ratioMetric = metric is DefragMetric.FragmentationRatio or DefragMetric.QuotaUsage;
            if (multiplier is null || (ratioMetric && unit is not ("" or "%")) || (!ratioMetric && unit == "%"))
            {
                _position = unitStart;
                throw Error(ratioMetric ? "a ratio (0.45) or a percentage (45%)" : "a size unit (B, kB, MB, GB, KiB, MiB, GiB)", unit);
            }

            return number * multiplier.Value;
        }

        private string ReadWord()
        {
            SkipSpaces();
            var start = _position;
            while (_position < _text.Length && char.IsAsciiLetter(_text[_position]))
            {
                _position++;
            }

            return _position > start ? _text[start.._position] : throw Error("a metric name");
        }

        private bool TryConsume(string token)
        {
            SkipSpaces();
            if (string.CompareOrdinal(_text, _position, token, 0, token.Length) == 0)
            {
                _position += token.Length;
                return true;
            }

            return false;
        }

        private void SkipSpaces()
        {
            while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
            {
                _position++;
            }
        }

        private readonly FormatException Error(string expected, string? found = null) =>
            new($"Defragmentation rule '{_text}', column {_position + 1}: expected {expected}{(found is null ? string.Empty : $", found '{found}'")}.");
    }
}
