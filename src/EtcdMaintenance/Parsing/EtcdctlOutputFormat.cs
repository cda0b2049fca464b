namespace EtcdMaintenance.Parsing;

/// <summary>The output formats of etcdctl's <c>-w</c> (<c>--write-out</c>) flag that the parsers read.</summary>
public enum EtcdctlOutputFormat
{
    /// <summary>Detect the format from the text itself.</summary>
    Auto = 0,

    /// <summary><c>-w json</c>: exact numbers and the response header.</summary>
    Json,

    /// <summary><c>-w table</c>: a bordered table, hex member IDs, SI-rounded sizes, no response header.</summary>
    Table,

    /// <summary><c>-w fields</c>: one <c>"Key" : value</c> line per field, exact numbers and the response header.</summary>
    Fields,

    /// <summary><c>-w simple</c> (etcdctl's default): one comma-separated line per item, hex IDs, SI-rounded sizes.</summary>
    Simple,
}
