using Solidarity.Core.Disputes;
using Solidarity.Web.Infrastructure.Tokens;

namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>What the giver sees of their monthly gift on the page their link opens.</summary>
/// <param name="PausedByDisputeEnd">
/// Paused by its dispute's end (the end's notice says so), not by Stripe after failed payments or from Stripe's dashboard.
/// </param>
internal sealed record MonthlyGiftView(
    Guid Id, Guid DisputeId, MonthlyGiftStatus Status, long ChargedPence, string Currency, string DisputeTitle, string DisputeSlug,
    DateTimeOffset? NextPaymentAt, DateTimeOffset? PausedAt, DateTimeOffset? CancelledAt, string? BranchName, bool DisputeEnded,
    bool PausedByDisputeEnd);

/// <summary>
/// The links in a monthly giver's emails (<c>/monthly/manage/{token}</c>): random tokens (<see cref="LinkTokens"/>) of
/// which only the hash is kept, one per email, each working while the gift runs and for a while after it ends, so that
/// a giver who has just cancelled can still see that it is cancelled.
/// </summary>
internal sealed class MonthlyGiftLinks(SolidarityDbContext db, TimeProvider time)
{
    public const string PathPrefix = "/monthly/manage/";

    /// <summary>How long a link still opens the page after the gift ended.</summary>
    public static readonly TimeSpan AfterEnding = TimeSpan.FromDays(30);

    /// <summary>A new link to the gift, added to the caller's unit of work: it works once the caller commits.</summary>
    public string Create(Guid giftId)
    {
        var (token, hash) = LinkTokens.Create();
        db.MonthlyGiftLinks.Add(new MonthlyGiftLink { TokenHash = hash, MonthlyGiftId = giftId, CreatedAt = time.GetUtcNow() });
        return token;
    }

    public static string PathFor(string token) => PathPrefix + token;

    /// <summary>The gift the token opens, or null for anything else: a malformed token, an unknown one, a gift long ended.</summary>
    public async Task<MonthlyGiftView?> FindAsync(string? token, CancellationToken cancellationToken)
    {
        if (!LinkTokens.TryHash(token, out var hash))
        {
            return null;
        }

        var endedSince = time.GetUtcNow() - AfterEnding;
        return await db.MonthlyGiftLinks.AsNoTracking()
            .Where(l => l.TokenHash == hash)
            .Join(db.MonthlyGifts, l => l.MonthlyGiftId, g => g.Id, (l, g) => g)
            .Where(g => g.CancelledAt == null || g.CancelledAt > endedSince)
            .Join(db.Disputes, g => g.DisputeId, d => d.Id, (g, d) => new MonthlyGiftView(
                g.Id, g.DisputeId, g.Status, g.AmountPence + g.FeeCoverPence, g.Currency, d.Title, d.Slug, g.NextPaymentAt, g.PausedAt, g.CancelledAt,
                // A branch that has since stopped being a beneficiary no longer receives the gift: its payments are shared.
                db.BeneficiaryBranches.Where(b => b.DisputeId == g.DisputeId && b.BranchId == g.ChosenBranchId)
                    .Join(db.Branches, b => b.BranchId, b => b.Id, (_, b) => b.Name).FirstOrDefault(),
                DisputeStatuses.Past.Contains(d.Status),
                db.MonthlyGiftNotices.Any(n => n.MonthlyGiftId == g.Id && n.DisputeId == g.DisputeId && n.PausedAt != null && n.ResumedAt == null)))
            .SingleOrDefaultAsync(cancellationToken);
    }
}
