namespace Solidarity.Web.Pages.BranchPortal;

/// <summary>The PDF or CSV of one of the officer's own branch's statements; any other statement is 404.</summary>
internal sealed class StatementFileModel(BranchOfficers officers, StatementFiles files) : PageModel
{
    public async Task<IActionResult> OnGetAsync(Guid id, string format, CancellationToken cancellationToken)
    {
        if (await officers.BranchIdAsync(User, cancellationToken) is not { } branchId
            || await files.FindAsync(id, branchId, cancellationToken) is not { } facts)
        {
            return NotFound();
        }

        return files.Download(facts, format) ?? NotFound();
    }
}
