namespace Solidarity.Web.Pages.Remittances;

/// <summary>A statement with the branch it is for, as the files show it.</summary>
internal sealed record StatementFacts(RemittanceStatement Statement, string BranchCode, string BranchName)
{
    /// <summary>"WM7680 1 May 2017 to 7 May 2017": periods end at midnight, so the last day shown is the day before.</summary>
    public string PeriodText =>
        $"{LondonClock.ToLondon(Statement.PeriodStart).ToString("d MMMM yyyy", LondonClock.Uk)} to " +
        $"{LondonClock.ToLondon(Statement.PeriodEnd.AddTicks(-1)).ToString("d MMMM yyyy", LondonClock.Uk)}";

    public string FileName(string extension) =>
        $"statement-{BranchCode}-{LondonClock.ToLondon(Statement.PeriodEnd.AddTicks(-1)):yyyy-MM-dd}.{extension}";

    /// <summary>The summary as label and amount, in the order the statement lists them.</summary>
    public IReadOnlyList<(string Label, long Pence)> Summary =>
    [
        ("Opening balance", Statement.OpeningPence),
        ("Card donations (gross)", Statement.CardDonationsPence),
        ("Processing fees", Statement.FeesPence),
        ("Refunds", Statement.RefundsPence),
        ("Chargebacks", Statement.ChargebacksPence),
        ("Chargebacks reversed", Statement.ChargebackReversalsPence),
        ("Offline money", Statement.OfflinePence),
        ("Remittances paid", Statement.RemittancesPence),
        ("Closing balance owed to the branch", Statement.ClosingPence),
    ];
}

/// <summary>
/// A statement as a PDF: the summary, then every donation in a table that runs over as many pages as it
/// needs, each page carrying its running totals forward to the next, and "Page x of y" on every page. The
/// number of donations is counted before the first is read, and a page holds a fixed number of rows, so the
/// number of pages is known from the start and the document is written in one pass: each page goes to the
/// output as soon as it is full, and memory does not grow with the number of donations.
/// </summary>
internal sealed class StatementPdf : IDisposable
{
    public const string ContentType = "application/pdf";
    public const string CarriedForward = "Carried forward";
    public const string BroughtForward = "Brought forward";
    public const string Total = "Total";

    private const double Margin = 40;
    private const double FooterHeight = 28;
    private const double RowHeight = 13;
    private const double Width = PdfStreamWriter.PageWidth - 2 * Margin;
    private const double Bottom = PdfStreamWriter.PageHeight - Margin - FooterHeight;
    private const double Gray = 0.5;
    private const double LightGray = 0.83;

    /// <summary>The column headings: a row and the gap under its rule.</summary>
    private const double HeadingsHeight = RowHeight + 2;

    /// <summary>A totals row: the rule above it and the row.</summary>
    private const double TotalsHeight = 1 + RowHeight;

    private static readonly (bool Bold, double Size) TitleFont = (true, 16);
    private static readonly (bool Bold, double Size) HeadingFont = (true, 10.5);
    private static readonly (bool Bold, double Size) BodyFont = (false, 9);
    private static readonly (bool Bold, double Size) CellFont = (false, 8);
    private static readonly (bool Bold, double Size) CellBoldFont = (true, 8);

    /// <summary>Date, from, method, gross, fee, net: left edge and width, in points from the margin.</summary>
    private static readonly (double X, double Width, bool Right)[] Columns =
    [
        (0, 62, false), (64, 196, false), (262, 72, false), (336, 58, true), (396, 55, true), (453, 62, true),
    ];

    private readonly PdfStreamWriter _writer;
    private readonly StatementFacts _facts;
    private readonly string _organisation;
    private readonly int _lineCount;
    private int _pageCount;
    private double _y;
    private long _gross;
    private long _fee;

    private StatementPdf(Stream output, StatementFacts facts, string organisation, int lineCount)
    {
        _writer = new PdfStreamWriter(output);
        _facts = facts;
        _organisation = organisation;
        _lineCount = lineCount;
    }

    private PdfPageContent Page => _writer.Page;

    public void Dispose() => _writer.Dispose();

    /// <summary>
    /// Renders the statement's <paramref name="lineCount"/> donation lines into <paramref name="output"/>, which is
    /// only appended to, and answers the number of pages.
    /// </summary>
    public static async Task<int> WriteAsync(
        Stream output, StatementFacts facts, string organisation, int lineCount, IAsyncEnumerable<StatementLine> lines, CancellationToken cancellationToken)
    {
        using var pdf = new StatementPdf(output, facts, organisation, lineCount);
        await pdf.RenderAsync(lines, cancellationToken);
        return pdf._writer.PageCount;
    }

    /// <summary>How many rows a page holds below <paramref name="top"/> while leaving room for the totals row under them.</summary>
    private static int RowsBelow(double top)
    {
        var rows = 0;
        for (var y = top; y + 2 * RowHeight <= Bottom; y += RowHeight)
        {
            rows++;
        }

        return rows;
    }

    private async Task RenderAsync(IAsyncEnumerable<StatementLine> lines, CancellationToken cancellationToken)
    {
        await _writer.BeginAsync(
            new PdfDocumentInfo($"Remittance statement {_facts.BranchCode} {_facts.PeriodText}", _organisation, _facts.Statement.CreatedAt),
            cancellationToken);
        _y = Margin;
        Summary();
        if (_lineCount == 0)
        {
            _pageCount = 1;
            Text("No donations were recorded for the branch in this period.", BodyFont);
            await EndPageAsync(cancellationToken);
            await _writer.EndAsync(cancellationToken);
            return;
        }

        ColumnHeadings();
        var capacity = RowsBelow(_y);
        var perPage = RowsBelow(Margin + HeadingsHeight + TotalsHeight);
        _pageCount = 1 + (Math.Max(0, _lineCount - capacity) + perPage - 1) / perPage;

        var written = 0;
        var onPage = 0;
        await foreach (var line in lines.WithCancellation(cancellationToken))
        {
            if (++written > _lineCount)
            {
                throw Changed();
            }

            if (onPage == capacity)
            {
                TotalsRow(CarriedForward);
                await EndPageAsync(cancellationToken);
                _y = Margin;
                ColumnHeadings();
                TotalsRow(BroughtForward);
                (onPage, capacity) = (0, perPage);
            }

            Cells(
                [
                    LondonClock.ToLondon(line.Date).ToString("dd/MM/yyyy", LondonClock.Uk), line.From, ReceiptDocument.MethodText(line.Method),
                    Amount(line.GrossPence), Amount(line.FeePence), Amount(line.NetPence),
                ],
                CellFont);
            onPage++;
            _gross += line.GrossPence;
            _fee += line.FeePence;
        }

        if (written != _lineCount)
        {
            throw Changed();
        }

        // The last page always has room: a page's rows stop one row short of the bottom, for this row.
        TotalsRow(Total);
        await EndPageAsync(cancellationToken);
        await _writer.EndAsync(cancellationToken);
    }

    /// <summary>The lines are read from a closed period of an append-only ledger, so a different count is a fault, never a race to tolerate.</summary>
    private InvalidOperationException Changed() =>
        new($"Statement {_facts.Statement.Id} was counted with {_lineCount} donation lines but read with a different number.");

    /// <summary>Every page says where it is in the document, then goes to the output.</summary>
    private async Task EndPageAsync(CancellationToken cancellationToken)
    {
        var y = PdfStreamWriter.PageHeight - Margin - FooterHeight + 12;
        Page.Line(Margin, y - 2, PdfStreamWriter.PageWidth - Margin, y - 2, LightGray);
        Page.Text(Fit($"{_facts.BranchCode} \u00b7 {_facts.PeriodText}", CellFont, 360), CellFont.Size, Margin, y, Gray);
        Page.TextRight(Fit($"Page {_writer.PageCount + 1} of {_pageCount}", CellFont, 160), CellFont.Size, PdfStreamWriter.PageWidth - Margin, y);
        await _writer.EndPageAsync(cancellationToken);
    }

    private void Summary()
    {
        Text(_organisation, HeadingFont);
        Text("Remittance statement", TitleFont);
        Text($"{_facts.BranchName} ({_facts.BranchCode})", HeadingFont);
        Text($"Period: {_facts.PeriodText}", BodyFont);
        Text($"Statement {_facts.Statement.Id}", BodyFont);
        _y += 6;
        foreach (var (label, pence) in _facts.Summary)
        {
            var font = label.StartsWith("Closing", StringComparison.Ordinal) || label.StartsWith("Opening", StringComparison.Ordinal) ? CellBoldFont : BodyFont;
            Page.Text(Fit(label, font, 260), font.Size, Margin, _y);
            Page.TextRight(Fit(Amount(pence), font, 100), font.Size, Margin + 360, _y);
            _y += RowHeight + 1;
        }

        _y += 8;
        Text($"Donations ({_facts.Statement.DonationCount:N0})", HeadingFont);
        Text("Gross is the branch's part of each gift; the fee is what the card processor kept of it; net is what the branch is owed.", CellFont);
        _y += 4;
    }

    private void ColumnHeadings()
    {
        Cells(["Date", "From", "Method", "Gross", "Fee", "Net"], CellBoldFont);
        Page.Line(Margin, _y - 1, Margin + Width, _y - 1, Gray);
        _y += HeadingsHeight - RowHeight;
    }

    private void TotalsRow(string label)
    {
        Page.Line(Margin, _y, Margin + Width, _y, Gray);
        _y += TotalsHeight - RowHeight;

        // The label spans the date and name columns; the amounts stand under their own.
        Page.Text(Fit(label, CellBoldFont, Columns[2].X), CellBoldFont.Size, Margin, _y);
        Cells(["", "", "", Amount(_gross), Amount(_fee), Amount(_gross - _fee)], CellBoldFont);
    }

    private void Cells(IReadOnlyList<string> values, (bool Bold, double Size) font)
    {
        for (var i = 0; i < Columns.Length; i++)
        {
            var (x, width, right) = Columns[i];
            var text = Fit(values[i], font, width);
            if (right)
            {
                Page.TextRight(text, font.Size, Margin + x + width, _y);
            }
            else
            {
                Page.Text(text, font.Size, Margin + x, _y);
            }
        }

        _y += RowHeight;
    }

    private void Text(string text, (bool Bold, double Size) font)
    {
        Page.Text(Fit(text, font, Width), font.Size, Margin, _y);
        _y += LineHeight(font.Size) + 3;
    }

    /// <summary>The distance from one line of text to the next.</summary>
    private static double LineHeight(double size) => size * 1.15;

    /// <summary>The text shaped, and cut with an ellipsis where it would overrun its column.</summary>
    private ShapedText Fit(string text, (bool Bold, double Size) font, double width) =>
        ShapedText.Shape(text, font.Bold, _writer.Fonts).Fit(width, font.Size, font.Bold, _writer.Fonts);

    public static string Amount(long pence) => new Money(pence, Money.Gbp).Format();
}
