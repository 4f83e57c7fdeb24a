using System.Text;
using Solidarity.Testing;

namespace Solidarity.Tests.Remittances;

/// <summary>Reads a statement's CSV back field by field; its PDF is read with <see cref="PdfTextReader.Lines"/>.</summary>
internal static class StatementFileReader
{
    /// <summary>Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF) after checking for the UTF-8 byte-order mark.</summary>
    public static List<List<string>> Csv(byte[] bytes)
    {
        Assert.True(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "The CSV does not start with a UTF-8 byte-order mark.");
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 3, bytes.Length - 3);
        var rows = CsvRows.Parse(text, out var complete);
        Assert.True(complete, "The CSV's last row does not end with CRLF.");
        return rows;
    }
}
