using System.Globalization;
using System.Text;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Web.Pages.Remittances;

/// <summary>
/// A statement's donations as CSV: UTF-8 with a byte-order mark (so spreadsheets read "£" and accents
/// right), one row per donation, fields quoted as RFC 4180 says, and text that a spreadsheet would take
/// for a formula made inert.
/// </summary>
internal static class StatementCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static readonly string[] Header = ["Date", "From", "Method", "Gross (GBP)", "Fee (GBP)", "Net (GBP)"];

    private static readonly Encoding Utf8WithBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    public static async Task WriteAsync(Stream output, IAsyncEnumerable<StatementLine> lines, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, Utf8WithBom, bufferSize: 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(Row(Header));
        await foreach (var line in lines.WithCancellation(cancellationToken))
        {
            await writer.WriteLineAsync(Row(
            [
                LondonClock.ToLondon(line.Date).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Text(line.From),
                Text(ReceiptDocument.MethodText(line.Method)),
                Pounds(line.GrossPence),
                Pounds(line.FeePence),
                Pounds(line.NetPence),
            ]));
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>"1234.56": a plain number a spreadsheet adds up, with no currency sign or thousands separator.</summary>
    public static string Pounds(long pence) => (pence / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// Text a person typed (a donor's public name) that starts like a formula gets a leading apostrophe, so a
    /// spreadsheet shows it instead of running it. Amounts and dates are written by the site and need no guard.
    /// </summary>
    public static string Text(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    private static string Row(IEnumerable<string> fields) => string.Join(',', fields.Select(Quote));

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
