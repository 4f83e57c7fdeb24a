using Microsoft.AspNetCore.OutputCaching;

namespace Solidarity.Web.Pages.Disputes.Books;

/// <summary>
/// A dispute's open books: for each branch and for the whole dispute, what was given, what went back or in fees, what
/// was paid to the branch and what is held, adding up to the penny. Output-cached and evicted with the dispute's page.
/// </summary>
[OutputCache(PolicyName = PublicPageCaching.PolicyName)]
internal sealed class BooksModel(OpenBooksQuery query) : PageModel
{
    public DisputeBooks Books { get; private set; } = default!;

    public Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken) =>
        this.ShowDisputeViewAsync(query.LoadAsync(slug, cancellationToken), books => Books = books);
}
