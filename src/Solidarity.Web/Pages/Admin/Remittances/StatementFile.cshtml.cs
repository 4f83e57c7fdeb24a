namespace Solidarity.Web.Pages.Admin.Remittances;

/// <summary>A statement's PDF or CSV, for any branch.</summary>
internal sealed class StatementFileModel(StatementFiles files) : PageModel
{
    public async Task<IActionResult> OnGetAsync(Guid id, string format, CancellationToken cancellationToken)
    {
        var facts = await files.FindAsync(id, onlyForBranch: null, cancellationToken);
        return (facts is null ? null : files.Download(facts, format)) ?? NotFound();
    }
}
