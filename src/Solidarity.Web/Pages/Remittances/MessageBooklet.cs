namespace Solidarity.Web.Pages.Remittances;

/// <summary>An approved message of support, as a branch sees it: only what the author chose to show.</summary>
internal sealed record BranchMessage(Guid Id, string DisputeTitle, string Body, string? AuthorName, string? OrganisationName, string? Town, DateTimeOffset CreatedAt)
{
    /// <summary>"Jo, Momentum South Birmingham, Birmingham", or "Anonymous".</summary>
    public string Signature =>
        string.Join(", ", new[] { AuthorName, OrganisationName, Town }.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!.Trim())) is { Length: > 0 } signed
            ? signed
            : "Anonymous";
}

/// <summary>
/// The approved messages of support for a branch's members (every dispute the branch is a beneficiary of),
/// and a printable booklet of them for the picket line or the branch noticeboard.
/// </summary>
internal sealed class MessageBooklet(SolidarityDbContext db, IOptions<ReceiptSettings> settings, TimeProvider timeProvider)
{
    public IQueryable<BranchMessage> ForBranch(Guid branchId) =>
        db.SupportMessages.AsNoTracking()
            .Where(m => m.Status == ModerationStatus.Approved && db.BeneficiaryBranches.Any(b => b.DisputeId == m.DisputeId && b.BranchId == branchId))
            .OrderByDescending(m => m.CreatedAt).ThenBy(m => m.Id)
            .Select(m => new BranchMessage(
                m.Id, db.Disputes.Where(d => d.Id == m.DisputeId).Select(d => d.Title).First(), m.Body, m.AuthorName, m.OrganisationName, m.Town, m.CreatedAt));

    public Task<byte[]> RenderAsync(Guid branchId, string branchName, CancellationToken cancellationToken) =>
        RenderAsync(ForBranch(branchId).AsAsyncEnumerable(), branchName, settings.Value.OrganisationName, timeProvider.GetUtcNow(), cancellationToken);

    /// <summary>The booklet of <paramref name="messages"/>, newest first as given.</summary>
    public static async Task<byte[]> RenderAsync(
        IAsyncEnumerable<BranchMessage> messages, string branchName, string organisation, DateTimeOffset created, CancellationToken cancellationToken)
    {
        using var pdf = new PdfLayout($"Messages of support to {branchName}", organisation, created);
        pdf.TitleLine("Messages of support");
        pdf.Paragraph($"To the members of {branchName}, from supporters who wrote through {organisation}.");
        pdf.Rule();
        var any = false;
        await foreach (var message in messages.WithCancellation(cancellationToken))
        {
            any = true;
            pdf.Paragraph(message.Body);
            pdf.SmallParagraph($"— {message.Signature} · {message.DisputeTitle} · {LondonClock.ToLondon(message.CreatedAt).ToString("d MMMM yyyy", LondonClock.Uk)}");
            pdf.Rule();
        }

        if (!any)
        {
            pdf.Paragraph("No messages have been approved yet.");
        }

        return pdf.ToBytes();
    }
}
