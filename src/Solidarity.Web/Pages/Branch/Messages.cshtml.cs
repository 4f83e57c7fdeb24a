namespace Solidarity.Web.Pages.BranchPortal;

/// <summary>The approved messages of support for the branch's members, newest first, and the booklet to print.</summary>
internal sealed class MessagesModel(SolidarityDbContext db, BranchOfficers officers, MessageBooklet booklet) : PageModel
{
    public const int Shown = 200;

    public BranchHeading Branch { get; private set; } = default!;
    public IReadOnlyList<BranchMessage> Messages { get; private set; } = [];
    public int Total { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await officers.BranchIdAsync(User, cancellationToken) is not { } branchId
            || await PortalQueries.HeadingAsync(db, branchId, cancellationToken) is not { } branch)
        {
            return NotFound();
        }

        Branch = branch;
        Total = await booklet.ForBranch(branchId).CountAsync(cancellationToken);
        Messages = await booklet.ForBranch(branchId).Take(Shown).ToListAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnGetBookletAsync(CancellationToken cancellationToken)
    {
        if (await officers.BranchIdAsync(User, cancellationToken) is not { } branchId
            || await PortalQueries.HeadingAsync(db, branchId, cancellationToken) is not { } branch)
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "private, no-store";
        var pdf = await booklet.RenderAsync(branchId, branch.Name, cancellationToken);
        return File(pdf, StatementPdf.ContentType, $"messages-of-support-{branch.Code}.pdf");
    }
}
