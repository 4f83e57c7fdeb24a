using Solidarity.Web.Pages.Donations.Checkout;
using Solidarity.Web.Pages.Donations.Webhooks;

namespace Solidarity.Web.Pages.Admin.Money;

/// <summary>
/// What needs an admin's eye: branches that owe money back, Stripe events about no known donation or for a sum the
/// donation does not record, donations still unconfirmed a day on, and the money per dispute and per branch as the
/// ledger has it.
/// </summary>
internal sealed class ReconciliationModel(SolidarityDbContext db, LedgerQueries ledger, CardTesting cardTesting, TimeProvider time) : PageModel
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);

    public IReadOnlyList<OrphanEvent> Orphans { get; private set; } = [];
    public IReadOnlyList<MismatchEvent> Mismatches { get; private set; } = [];
    public IReadOnlyList<StalePayment> Stale { get; private set; } = [];
    public IReadOnlyList<DisputeLine> Disputes { get; private set; } = [];
    public IReadOnlyList<BranchBalance> Branches { get; private set; } = [];

    /// <summary>Running totals that differ from the sum of their entries: empty unless someone wrote to the tables by hand.</summary>
    public IReadOnlyList<TotalsDifference> TotalsDifferences { get; private set; } = [];

    /// <summary>Clients and email addresses whose new checkouts are blocked for card testing, by kind only: the site keeps no address.</summary>
    public IReadOnlyList<CheckoutBlock> Blocks { get; private set; } = [];

    /// <summary>Branches below zero: paid money that Stripe (or a confirmed reversal) then took back.</summary>
    public IReadOnlyList<BranchBalance> OwingBack => Branches.Where(b => b.OwedPence < 0).ToList();

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Orphans = await db.StripeEvents.AsNoTracking()
            .Where(e => e.Outcome == WebhookOutcomes.UnknownDonation)
            .OrderByDescending(e => e.ReceivedAt)
            .Take(200)
            .Select(e => new OrphanEvent(e.EventId, e.Type, e.ObjectId, e.StripeCreatedAt, e.ReceivedAt))
            .ToListAsync(cancellationToken);

        Mismatches = await db.StripeEvents.AsNoTracking()
            .Where(e => e.Outcome == WebhookOutcomes.AmountMismatch)
            .OrderByDescending(e => e.ReceivedAt)
            .Take(200)
            .Select(e => new MismatchEvent(e.EventId, e.Type, e.ObjectId, e.DonationId, e.StripeCreatedAt, e.ReceivedAt))
            .ToListAsync(cancellationToken);

        var cutOff = time.GetUtcNow() - StaleAfter;
        Stale = await db.Donations.AsNoTracking()
            .Where(d => (d.Status == DonationStatus.Pending || d.Status == DonationStatus.AwaitingPayment) && d.CreatedAt < cutOff)
            .OrderBy(d => d.CreatedAt)
            .Take(200)
            .Select(d => new StalePayment(
                d.Id, d.CreatedAt, db.Disputes.Where(x => x.Id == d.DisputeId).Select(x => x.Title).First(), d.AmountPence + d.FeeCoverPence,
                d.Status, d.StripeCheckoutSessionId))
            .ToListAsync(cancellationToken);

        var titles = await db.Disputes.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.Title, cancellationToken);
        Disputes = (await ledger.ForAllDisputesAsync(cancellationToken))
            .Select(m => new DisputeLine(titles.GetValueOrDefault(m.DisputeId, "(unknown dispute)"), m))
            .OrderBy(l => l.Title, StringComparer.CurrentCulture)
            .ToList();
        Branches = await ledger.BranchBalancesAsync(cancellationToken);
        TotalsDifferences = await ledger.TotalsDifferencesAsync(cancellationToken);
        Blocks = await cardTesting.BlocksAsync(cancellationToken);
    }
}

internal sealed record OrphanEvent(string EventId, string Type, string? ObjectId, DateTimeOffset StripeCreatedAt, DateTimeOffset ReceivedAt);

internal sealed record MismatchEvent(string EventId, string Type, string? ObjectId, Guid? DonationId, DateTimeOffset StripeCreatedAt, DateTimeOffset ReceivedAt);

internal sealed record StalePayment(Guid Id, DateTimeOffset CreatedAt, string Dispute, long ChargedPence, DonationStatus Status, string? SessionId);

internal sealed record DisputeLine(string Title, DisputeMoney Money);
