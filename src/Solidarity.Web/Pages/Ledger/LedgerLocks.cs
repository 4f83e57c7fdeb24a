namespace Solidarity.Web.Pages.Ledger;

/// <summary>A donation whose row, and the rows of the branches it is allocated to, this transaction holds locked.</summary>
internal sealed class LockedDonation
{
    internal LockedDonation(Donation donation, IReadOnlyList<Guid> branchIds)
    {
        Donation = donation;
        BranchIds = branchIds;
    }

    public Donation Donation { get; }

    /// <summary>The branches locked with it, sorted; empty when only the donation was locked.</summary>
    public IReadOnlyList<Guid> BranchIds { get; }
}

/// <summary>
/// Donations this transaction holds locked, whose branches the statement posting their payments locks first
/// (<see cref="LedgerLocks.BranchesOnPosting"/>): their <see cref="LockedDonation"/>s are for that posting only.
/// </summary>
internal sealed class BranchesLockedOnPosting
{
    private readonly Dictionary<Guid, LockedDonation> _donations;

    internal BranchesLockedOnPosting(IEnumerable<Donation> lockedDonations)
    {
        _donations = lockedDonations.ToDictionary(d => d.Id, d => new LockedDonation(d, d.Allocations.Select(a => a.BranchId).Distinct().Order().ToArray()));
        BranchIds = _donations.Values.SelectMany(d => d.BranchIds).Distinct().Order().ToArray();
    }

    /// <summary>Every branch the donations are allocated to, sorted by id: the order they are locked in.</summary>
    public IReadOnlyList<Guid> BranchIds { get; }

    public LockedDonation this[Guid donationId] => _donations[donationId];
}

/// <summary>A branch whose row this transaction holds locked: its balance cannot change until the commit.</summary>
internal sealed record LockedBranch(Guid BranchId);

/// <summary>
/// The one place that takes the row locks money depends on, always in this order:
/// <list type="number">
/// <item>the donation (one at a time, or several sorted by id);</item>
/// <item>then the branches its money is allocated to, sorted by id.</item>
/// </list>
/// Why these locks: a branch's lock is what a remittance payment holds while it reads the branch's balance and pays
/// it, so refunds, chargebacks and fees wait for a payment in progress, and a payment reads the balance after them;
/// a payment of the whole balance can never cross one and leave the branch owing. The donation's lock serialises the
/// events about one gift (webhooks, an admin's reversal, an erasure, its receipt being issued).
/// Why this order: two transactions that take overlapping locks in the same order cannot deadlock. Branches are
/// locked before anything is posted, because each ledger entry share-locks its branch through the foreign key, and
/// two transactions each holding that share could not both upgrade it; a new donation, whose allocations share-lock its
/// branches the same way, is inserted after them (<see cref="InsertDonationAsync"/>). A transaction may write its donations' own rows
/// between the two steps (a webhook batch does), since that moves no money: the branches, which every payment to the
/// dispute waits for, are then held only while posting. A batch's branches are locked by the first of the two statements
/// that post its payments (<see cref="BranchesOnPosting"/>), in the same round trip: still before anything is posted.
/// Every transaction that posts money or reads a balance to act on it takes its locks here, or through them; other
/// locks (an email delivery row, a statement) belong to their own feature.
/// </summary>
internal static class LedgerLocks
{
    /// <summary>Locks the donation and, with <paramref name="withBranches"/>, its branches; null when there is no such donation.</summary>
    public static Task<LockedDonation?> DonationAsync(
        SolidarityDbContext db, Guid donationId, CancellationToken cancellationToken, bool withBranches = true) =>
        LockAsync(db, db.Donations.FromSql($"""SELECT * FROM "Donations" WHERE "Id" = {donationId} FOR UPDATE"""), withBranches, cancellationToken);

    /// <summary>As <see cref="DonationAsync"/>, for a card donation only: null when there is no card donation with that id.</summary>
    public static Task<LockedDonation?> CardDonationAsync(
        SolidarityDbContext db, Guid donationId, CancellationToken cancellationToken, bool withBranches = true) =>
        LockAsync(
            db,
            db.Donations.FromSql(
                $"""SELECT * FROM "Donations" WHERE "Id" = {donationId} AND "Method" = {DonationMethod.Card.ToString()} FOR UPDATE"""),
            withBranches,
            cancellationToken);

    /// <summary>
    /// Locks several card donations, sorted by id, without their branches: the webhook's batches, which apply many
    /// payments in one transaction, write the donations' own rows and then lock the branches in the statement that
    /// posts (<see cref="BranchesOnPosting"/>), so that they hold the branches (which every payment to the dispute waits
    /// for) only while posting. Ids with no card donation are left out.
    /// </summary>
    /// <remarks>
    /// The donations are read untracked: a batch writes what it changes in one statement of its own, rather than through
    /// EF's change tracking of every donation. Their allocations are the caller's, read in an earlier round trip: a
    /// donation's split is fixed when it is made, so it needs no lock.
    /// </remarks>
    public static async Task<IReadOnlyDictionary<Guid, Donation>> CardDonationsAsync(
        SolidarityDbContext db, IEnumerable<Guid> donationIds, ILookup<Guid, DonationAllocation> allocations, CancellationToken cancellationToken)
    {
        var ids = donationIds.Distinct().Order().ToArray();
        var donations = await db.Donations
            .FromSql(
                $"""SELECT * FROM "Donations" WHERE "Id" = ANY({ids}) AND "Method" = {DonationMethod.Card.ToString()} ORDER BY "Id" FOR UPDATE""")
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        foreach (var donation in donations)
        {
            donation.Allocations = [.. allocations[donation.Id]];
        }

        return donations.ToDictionary(d => d.Id);
    }

    /// <summary>
    /// The branches of donations this transaction locked with <see cref="CardDonationsAsync"/>, to be locked by the
    /// statement that posts their payments, ahead of it in the round trip that also commits
    /// (<see cref="LedgerPostings.PaymentsConfirmedAndCommitAsync"/>): the branches, which every payment to the dispute
    /// waits for, are then held only while the server posts, never across a round trip.
    /// </summary>
    public static BranchesLockedOnPosting BranchesOnPosting(IEnumerable<Donation> lockedDonations) => new(lockedDonations);

    private static async Task<LockedDonation?> LockAsync(
        SolidarityDbContext db, IQueryable<Donation> row, bool withBranches, CancellationToken cancellationToken)
    {
        var donation = await row.Include(d => d.Allocations).SingleOrDefaultAsync(cancellationToken);
        if (donation is null)
        {
            return null;
        }

        var branchIds = withBranches ? await BranchesAsync(db, donation.Allocations.Select(a => a.BranchId), cancellationToken) : [];
        return new LockedDonation(donation, branchIds);
    }

    /// <summary>
    /// Locks every donation given from one email address, in id order, without their branches: for changes to the
    /// person (an erasure), which move no money.
    /// </summary>
    public static Task<List<Donation>> DonationsByEmailAsync(SolidarityDbContext db, string normalisedEmail, CancellationToken cancellationToken) =>
        db.Donations
            .FromSql($"""SELECT * FROM "Donations" WHERE lower("Email") = {normalisedEmail} ORDER BY "Id" FOR UPDATE""")
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Inserts a new donation with its allocations, its branches locked first, so that its money (offline money, a
    /// month's payment) is posted under the same locks as any other. The branches come before the row here: no other
    /// transaction can wait for a row not yet committed, and inserting it first would share-lock its branches through the
    /// allocations' foreign keys, which two such transactions, each then asking for the branches, could not both upgrade.
    /// </summary>
    /// <exception cref="DbUpdateException">As <c>SaveChangesAsync</c> throws it (a unique key taken meanwhile, say).</exception>
    public static async Task<LockedDonation> InsertDonationAsync(SolidarityDbContext db, Donation donation, CancellationToken cancellationToken)
    {
        var branches = await BranchesAsync(db, donation.Allocations.Select(a => a.BranchId), cancellationToken);
        db.Donations.Add(donation);
        await db.SaveChangesAsync(cancellationToken);
        return new(donation, branches);
    }

    /// <summary>
    /// A donation this transaction has just inserted, with its branches, which the transaction locked before inserting
    /// it (<see cref="BranchesAsync"/>, as a bulk import does): asked again, they are already its own.
    /// </summary>
    public static async Task<LockedDonation> InsertedDonationAsync(SolidarityDbContext db, Donation inserted, CancellationToken cancellationToken) =>
        new(inserted, await BranchesAsync(db, inserted.Allocations.Select(a => a.BranchId), cancellationToken));

    public static async Task<LockedBranch> BranchAsync(SolidarityDbContext db, Guid branchId, CancellationToken cancellationToken)
    {
        await BranchesAsync(db, [branchId], cancellationToken);
        return new LockedBranch(branchId);
    }

    /// <summary>Locks several branches, sorted by id: for a bulk import that posts to each of them in one transaction.</summary>
    public static async Task<Guid[]> BranchesAsync(SolidarityDbContext db, IEnumerable<Guid> branchIds, CancellationToken cancellationToken)
    {
        var sorted = branchIds.Distinct().Order().ToArray();
        if (sorted.Length > 0)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""SELECT 1 FROM "Branches" WHERE "Id" = ANY({sorted}) ORDER BY "Id" FOR UPDATE""", cancellationToken);
        }

        return sorted;
    }
}
