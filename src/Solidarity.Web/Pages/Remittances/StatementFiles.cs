namespace Solidarity.Web.Pages.Remittances;

/// <summary>
/// A statement's PDF and CSV, generated when downloaded rather than stored. The statement row freezes the
/// totals and the ledger never changes, so the same statement always gives the same lines; storing the files
/// would keep a copy of every donation list, week after week, that the ledger can give again on demand.
/// </summary>
internal sealed class StatementFiles(SolidarityDbContext db, StatementQueries queries, IOptions<ReceiptSettings> settings)
{
    /// <summary>The statement, when it exists and, for a branch officer, is their branch's: otherwise null, which pages answer with 404.</summary>
    public Task<StatementFacts?> FindAsync(Guid statementId, Guid? onlyForBranch, CancellationToken cancellationToken) =>
        db.RemittanceStatements.AsNoTracking()
            .Where(s => s.Id == statementId && (onlyForBranch == null || s.BranchId == onlyForBranch))
            .Join(db.Branches, s => s.BranchId, b => b.Id, (s, b) => new StatementFacts(s, b.Code, b.Name))
            .SingleOrDefaultAsync(cancellationToken);

    public IAsyncEnumerable<StatementLine> Lines(StatementFacts facts, CancellationToken cancellationToken) =>
        queries.LinesAsync(facts.Statement.BranchId, facts.Statement.PeriodStart, facts.Statement.PeriodEnd, cancellationToken);

    public Task WriteCsvAsync(Stream output, StatementFacts facts, CancellationToken cancellationToken) =>
        StatementCsv.WriteAsync(output, Lines(facts, cancellationToken), cancellationToken);

    /// <summary>Writes the PDF front to back, never seeking, so <paramref name="output"/> can be a response body.</summary>
    public async Task<int> WritePdfAsync(Stream output, StatementFacts facts, CancellationToken cancellationToken)
    {
        var statement = facts.Statement;
        var count = await queries.LineCountAsync(statement.BranchId, statement.PeriodStart, statement.PeriodEnd, cancellationToken);
        return await StatementPdf.WriteAsync(output, facts, settings.Value.OrganisationName, count, Lines(facts, cancellationToken), cancellationToken);
    }

    /// <summary>The download of <paramref name="format"/> ("pdf" or "csv"), or null for any other format.</summary>
    public IActionResult? Download(StatementFacts facts, string format) => format switch
    {
        "pdf" => new StatementDownload(this, facts, StatementPdf.ContentType, facts.FileName("pdf")),
        "csv" => new StatementDownload(this, facts, StatementCsv.ContentType, facts.FileName("csv")),
        _ => null,
    };

    /// <summary>Streams the file into the response as it is generated: neither file is ever whole in memory or on disk.</summary>
    private sealed class StatementDownload(StatementFiles files, StatementFacts facts, string contentType, string fileName) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            var cancellationToken = context.HttpContext.RequestAborted;
            response.ContentType = contentType;
            response.Headers.CacheControl = "private, no-store";
            response.Headers["X-Robots-Tag"] = "noindex";
            response.Headers.ContentDisposition = new System.Net.Mime.ContentDisposition { FileName = fileName, Inline = false }.ToString();
            if (contentType == StatementCsv.ContentType)
            {
                await files.WriteCsvAsync(response.Body, facts, cancellationToken);
            }
            else
            {
                await files.WritePdfAsync(response.Body, facts, cancellationToken);
            }
        }
    }
}
