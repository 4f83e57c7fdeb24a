using System.Buffers;
using System.Buffers.Text;

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

    /// <summary>
    /// Rows are written as UTF-8 bytes straight into one buffer, handed to <paramref name="output"/> a block at a time:
    /// a large branch's statement has hundreds of thousands of rows, and strings and a write per row would cost
    /// several times what PostgreSQL takes to send them.
    /// </summary>
    public static async Task WriteAsync(Stream output, IAsyncEnumerable<StatementLine> lines, CancellationToken cancellationToken)
    {
        var rows = new Utf8Rows();
        try
        {
            rows.Bytes(Encoding.UTF8.Preamble);
            rows.Header(Header);
            await foreach (var line in lines.WithCancellation(cancellationToken))
            {
                rows.Line(line);
                if (rows.Full)
                {
                    await output.WriteAsync(rows.Written, cancellationToken);
                    rows.Clear();
                }
            }

            await output.WriteAsync(rows.Written, cancellationToken);
            await output.FlushAsync(cancellationToken);
        }
        finally
        {
            rows.Dispose();
        }
    }

    /// <summary>"1234.56": a plain number a spreadsheet adds up, with no currency sign or thousands separator.</summary>
    public static string Pounds(long pence) => (pence / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// Text a person typed (a donor's public name) that starts like a formula gets a leading apostrophe, so a
    /// spreadsheet shows it instead of running it. Amounts and dates are written by the site and need no guard.
    /// </summary>
    public static string Text(string value) => StartsLikeAFormula(value) ? "'" + value : value;

    private static bool StartsLikeAFormula(ReadOnlySpan<char> value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>A field holding any of these is quoted, with its quotes doubled (RFC 4180).</summary>
    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    /// <summary>The rows of one file, as UTF-8, in a pooled buffer that the caller empties whenever it is <see cref="Full"/>.</summary>
    private sealed class Utf8Rows : IDisposable
    {
        private const int BlockSize = 64 * 1024;

        /// <summary>Each method's column, written once rather than per row.</summary>
        private static readonly Dictionary<DonationMethod, byte[]> Methods =
            Enum.GetValues<DonationMethod>().ToDictionary(method => method, method => FieldBytes(ReceiptDocument.MethodText(method)));

        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(2 * BlockSize);
        private int _length;

        // Rows come in date order, so one London day's UTC bounds, and its text, serve row after row.
        private DateTimeOffset _dayStarts = DateTimeOffset.MaxValue;
        private DateTimeOffset _dayEnds = DateTimeOffset.MinValue;
        private readonly byte[] _day = new byte[10];

        public bool Full => _length >= BlockSize;

        public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

        public void Clear() => _length = 0;

        public void Header(string[] names)
        {
            for (var i = 0; i < names.Length; i++)
            {
                if (i > 0)
                {
                    Byte((byte)',');
                }

                // The header is the site's own text: quoted where it must be, never guarded.
                Field(names[i], guard: false);
            }

            EndRow();
        }

        public void Line(StatementLine line)
        {
            Date(line.Date);
            Byte((byte)',');
            Field(line.From, guard: true);
            Byte((byte)',');
            Bytes(Methods.TryGetValue(line.Method, out var method) ? method : FieldBytes(line.Method.ToString()));
            Byte((byte)',');
            Pounds(line.GrossPence);
            Byte((byte)',');
            Pounds(line.FeePence);
            Byte((byte)',');
            Pounds(line.NetPence);
            EndRow();
        }

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            Reserve(bytes.Length);
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        /// <summary>The London date, "2017-05-21".</summary>
        private void Date(DateTimeOffset instant)
        {
            if (instant < _dayStarts || instant >= _dayEnds)
            {
                var day = LondonClock.ToLondon(instant).DateTime.Date;
                _dayStarts = LondonClock.FromLondon(day);
                _dayEnds = LondonClock.FromLondon(day.AddDays(1));
                day.TryFormat(_day, out _, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            Bytes(_day);
        }

        /// <summary>What <see cref="StatementCsv.Pounds"/> writes, without the decimal or the string.</summary>
        private void Pounds(long pence)
        {
            Reserve(24);
            var span = _buffer.AsSpan(_length);
            var written = 0;
            if (pence < 0)
            {
                span[written++] = (byte)'-';
            }

            var magnitude = pence < 0 ? (ulong)-(pence + 1) + 1 : (ulong)pence;
            Utf8Formatter.TryFormat(magnitude / 100, span[written..], out var whole);
            written += whole;
            var hundredths = (int)(magnitude % 100);
            span[written++] = (byte)'.';
            span[written++] = (byte)('0' + hundredths / 10);
            span[written++] = (byte)('0' + hundredths % 10);
            _length += written;
        }

        /// <summary>What <see cref="StatementCsv.Text"/> (when <paramref name="guard"/>) and the quoting give, encoded in place.</summary>
        private void Field(string value, bool guard)
        {
            guard = guard && StartsLikeAFormula(value);
            var quoted = value.AsSpan().IndexOfAny(NeedsQuotes) >= 0;
            Reserve(2 * Encoding.UTF8.GetMaxByteCount(value.Length) + 3);
            if (quoted)
            {
                Byte((byte)'"');
            }

            if (guard)
            {
                Byte((byte)'\'');
            }

            var rest = value.AsSpan();
            if (quoted)
            {
                for (var quote = rest.IndexOf('"'); quote >= 0; quote = rest.IndexOf('"'))
                {
                    Encode(rest[..(quote + 1)]);
                    Byte((byte)'"');
                    rest = rest[(quote + 1)..];
                }
            }

            Encode(rest);
            if (quoted)
            {
                Byte((byte)'"');
            }
        }

        private void Encode(ReadOnlySpan<char> text) => _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));

        private void EndRow()
        {
            Reserve(2);
            _buffer[_length++] = (byte)'\r';
            _buffer[_length++] = (byte)'\n';
        }

        private void Byte(byte value)
        {
            Reserve(1);
            _buffer[_length++] = value;
        }

        /// <summary>Room for <paramref name="bytes"/> more; a row longer than the spare half of the buffer grows it.</summary>
        private void Reserve(int bytes)
        {
            if (_length + bytes <= _buffer.Length)
            {
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(2 * _buffer.Length, _length + bytes));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        private static byte[] FieldBytes(string text)
        {
            using var rows = new Utf8Rows();
            rows.Field(text, guard: true);
            return rows.Written.ToArray();
        }
    }
}
