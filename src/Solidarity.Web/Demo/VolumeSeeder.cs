using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Solidarity.Web.Demo;

/// <summary>What one volume seed wrote: the figures a check of the database should find again.</summary>
internal sealed record VolumeSeedReport(
    int Donations,
    int Messages,
    long RaisedPence,
    int DistinctDonors,
    int Allocations,
    int LedgerEntries,
    TimeSpan Elapsed);

/// <summary>
/// Fills a development database with a dispute as busy as a national one: paid card donations to the Argos demo
/// dispute over the last 30 days, and approved messages of support, so that pages, queries and jobs can be tried at
/// the volume a popular strike reaches. Run by the <c>seed-volume</c> command and by the <c>pages</c> benchmark,
/// after the demo data.
/// </summary>
/// <remarks>
/// <para>
/// Why COPY: a million donations through EF Core or the webhook path would take hours; PostgreSQL's binary COPY writes
/// them in minutes. Nothing is skipped for it: each donation gets its allocations (by the dispute's shares, or all
/// to a chosen branch, as the donate page fixes them) and one <c>DonationReceived</c> entry per branch under the key
/// the webhook would have used (<see cref="LedgerKeys.Received"/>), and the statement triggers on LedgerEntries keep
/// the running totals and the supporter counts for COPY as for any INSERT.
/// </para>
/// <para>
/// Each batch is one transaction that takes the branch locks every posting takes (<see cref="LedgerLocks"/>), so the
/// database holds its invariants after every commit, and a seed can run beside the site. The donations are marked
/// <see cref="Donation.ReceiptNotOwed"/>: the safety net must not render a receipt for each.
/// </para>
/// </remarks>
internal sealed class VolumeSeeder(SolidarityDbContext db, SupporterKeys keys, TimeProvider time, ILogger<VolumeSeeder> logger)
{
    /// <summary>Donations or messages per transaction: small enough for steady progress, big enough that COPY pays.</summary>
    private const int BatchSize = 50_000;

    /// <summary>The same donors, amounts and messages every time, so that runs of a benchmark compare like with like.</summary>
    private const int Seed = 2017;

    private static readonly TimeSpan Spread = TimeSpan.FromDays(30);

    /// <summary>Seeds in a service scope of its own: how the <c>seed-volume</c> command and the benchmarks run it.</summary>
    public static async Task<VolumeSeedReport> SeedAsync(
        IServiceProvider services, int donations, int messages, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await ActivatorUtilities.CreateInstance<VolumeSeeder>(scope.ServiceProvider).SeedAsync(donations, messages, cancellationToken);
    }

    public async Task<VolumeSeedReport> SeedAsync(int donations, int messages, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(donations);
        ArgumentOutOfRangeException.ThrowIfNegative(messages);
        var clock = Stopwatch.StartNew();
        var dispute = await db.Disputes.AsNoTracking()
            .Where(d => d.Slug == DemoData.ArgosSlug)
            .Select(d => new
            {
                d.Id,
                Branches = d.Beneficiaries.OrderBy(b => b.BranchId).Select(b => new ShareOf(b.BranchId, b.ShareBasisPoints)).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException($"The demo dispute '{DemoData.ArgosSlug}' is missing: seed the demo data first.");
        var moderator = await db.Users.AsNoTracking()
            .Where(u => u.Email == DemoData.AdminEmail)
            .Select(u => new Moderator(u.Id, u.DisplayName ?? "Demo Admin"))
            .SingleOrDefaultAsync(cancellationToken) ?? new Moderator(null, "Demo Admin");

        var now = time.GetUtcNow();
        var gifts = new GiftMaker(new Random(Seed), keys, dispute.Branches, donations, now);
        var notes = new MessageMaker(new Random(Seed + 1), messages, now, moderator);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            for (var done = 0; done < donations;)
            {
                var batch = gifts.Next(Math.Min(BatchSize, donations - done));
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

                // The triggers' queries over a batch's transition table have no statistics, so the planner's estimates
                // are wild and it would spend longer compiling them (JIT) than running them.
                await db.Database.ExecuteSqlRawAsync("SET LOCAL jit = off", cancellationToken);

                // A trigger's plans are kept by its connection and planned for the first transition table they met: one
                // planned for a webhook's two entries would join a batch's hundred thousand as if they were two.
                await db.Database.ExecuteSqlRawAsync("DISCARD PLANS", cancellationToken);
                await LedgerLocks.BranchesAsync(db, dispute.Branches.Select(b => b.BranchId), cancellationToken);
                await CopyDonationsAsync(connection, dispute.Id, batch, cancellationToken);
                await CopyAllocationsAsync(connection, batch, cancellationToken);
                await CopyEntriesAsync(connection, dispute.Id, batch, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                done += batch.Count;
                logger.LogInformation("Seeded {Done:N0} of {Total:N0} donations", done, donations);
            }

            for (var done = 0; done < messages;)
            {
                var batch = notes.Next(Math.Min(BatchSize, messages - done));
                await CopyMessagesAsync(connection, dispute.Id, batch, cancellationToken);
                done += batch.Count;
                logger.LogInformation("Seeded {Done:N0} of {Total:N0} messages", done, messages);
            }

            // Leaves the tables as a site that has run a while has them: planner statistics for their new size, and the
            // old row of every donation the supporters trigger rewrote cleaned away now, rather than by autovacuum in
            // the middle of whatever is measured next.
            await using var vacuum = new NpgsqlCommand(
                """VACUUM (ANALYZE) "Donations", "DonationAllocations", "LedgerEntries", "LedgerTotals", "DisputeSupporters", "SupporterTotals", "SupportMessages";""",
                connection) { CommandTimeout = 0 };
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return new VolumeSeedReport(donations, messages, gifts.RaisedPence, gifts.DistinctDonors, gifts.Allocations, gifts.Entries, clock.Elapsed);
    }

    private static async Task CopyDonationsAsync(NpgsqlConnection connection, Guid disputeId, IReadOnlyList<Gift> batch, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY "Donations" ("Id", "DisputeId", "ChosenBranchId", "Method", "Status", "AmountPence", "FeeCoverPence", "Currency",
                "PublicName", "OrganisationName", "DonorName", "Email", "PrivacyConsentAt", "CreatedAt", "PaidAt",
                "StripeCheckoutSessionId", "StripePaymentIntentId", "StripeChargeId", "DonorKey", "CountsAsSupporter", "ReceiptNotOwed")
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var gift in batch)
        {
            var id = gift.Id.ToString("N");
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(gift.Id, NpgsqlDbType.Uuid, cancellationToken);
            await copy.WriteAsync(disputeId, NpgsqlDbType.Uuid, cancellationToken);
            await WriteOrNullAsync(copy, gift.ChosenBranchId, NpgsqlDbType.Uuid, cancellationToken);
            await copy.WriteAsync(nameof(DonationMethod.Card), NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(nameof(DonationStatus.Paid), NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(gift.AmountPence, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(gift.FeeCoverPence, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(Money.Gbp, NpgsqlDbType.Varchar, cancellationToken);
            await WriteOrNullAsync(copy, gift.PublicName, NpgsqlDbType.Varchar, cancellationToken);
            await WriteOrNullAsync(copy, gift.OrganisationName, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(gift.DonorName, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(gift.Email, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(gift.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(gift.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(gift.PaidAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync("cs_volume_" + id, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(PaymentIntent(gift), NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync("ch_volume_" + id, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(gift.DonorKey, NpgsqlDbType.Varchar, cancellationToken);

            // Not yet: the supporters trigger sets it as the entries arrive, and counts the donor only if it does.
            await copy.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
            await copy.WriteAsync(true, NpgsqlDbType.Boolean, cancellationToken);
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private static async Task CopyAllocationsAsync(NpgsqlConnection connection, IReadOnlyList<Gift> batch, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            """COPY "DonationAllocations" ("DonationId", "BranchId", "AmountPence") FROM STDIN (FORMAT BINARY)""", cancellationToken);
        foreach (var gift in batch)
        {
            foreach (var (branchId, pence) in gift.Parts)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(gift.Id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(branchId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(pence, NpgsqlDbType.Bigint, cancellationToken);
            }
        }

        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>One entry per branch with money, as <see cref="LedgerWriter"/> posts them: a part of nothing is no movement.</summary>
    private static async Task CopyEntriesAsync(NpgsqlConnection connection, Guid disputeId, IReadOnlyList<Gift> batch, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY "LedgerEntries" ("DisputeId", "BranchId", "Kind", "AmountPence", "Currency", "Key", "DonationId", "StripeObjectId", "OccurredAt", "RecordedAt")
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var gift in batch)
        {
            foreach (var (branchId, pence) in gift.Parts.Where(p => p.Pence != 0))
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(disputeId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(branchId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(nameof(LedgerEntryKind.DonationReceived), NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(pence, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(Money.Gbp, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(LedgerKeys.Received(gift.Id, branchId), NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(gift.Id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(PaymentIntent(gift), NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(gift.PaidAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(gift.PaidAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            }
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private static async Task CopyMessagesAsync(NpgsqlConnection connection, Guid disputeId, IReadOnlyList<Note> batch, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY "SupportMessages" ("Id", "DisputeId", "AuthorName", "OrganisationName", "Town", "Body", "Status", "CreatedAt",
                "ModeratedByUserId", "ModeratedByName", "ModeratedAt")
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var note in batch)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(note.Id, NpgsqlDbType.Uuid, cancellationToken);
            await copy.WriteAsync(disputeId, NpgsqlDbType.Uuid, cancellationToken);
            await WriteOrNullAsync(copy, note.AuthorName, NpgsqlDbType.Varchar, cancellationToken);
            await WriteOrNullAsync(copy, note.OrganisationName, NpgsqlDbType.Varchar, cancellationToken);
            await WriteOrNullAsync(copy, note.Town, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(note.Body, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(nameof(ModerationStatus.Approved), NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(note.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteOrNullAsync(copy, note.Moderator.UserId, NpgsqlDbType.Uuid, cancellationToken);
            await copy.WriteAsync(note.Moderator.Name, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(note.ModeratedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private static string PaymentIntent(Gift gift) => "pi_volume_" + gift.Id.ToString("N");

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : class =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, type, cancellationToken);

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct =>
        value is { } present ? copy.WriteAsync(present, type, cancellationToken) : copy.WriteNullAsync(cancellationToken);

    private sealed record ShareOf(Guid BranchId, int ShareBasisPoints);

    private sealed record Moderator(Guid? UserId, string Name);

    private sealed record Gift(
        Guid Id,
        DateTimeOffset CreatedAt,
        DateTimeOffset PaidAt,
        long AmountPence,
        long FeeCoverPence,
        Guid? ChosenBranchId,
        IReadOnlyList<(Guid BranchId, long Pence)> Parts,
        string? PublicName,
        string? OrganisationName,
        string DonorName,
        string Email,
        string DonorKey);

    private sealed record Note(
        Guid Id,
        string? AuthorName,
        string? OrganisationName,
        string? Town,
        string Body,
        DateTimeOffset CreatedAt,
        DateTimeOffset ModeratedAt,
        Moderator Moderator);

    /// <summary>
    /// Gifts in time order over the last 30 days, as a strike fund sees them: mostly small round sums from people,
    /// about a quarter of them from people who gave before, a few larger ones from organisations (each its own donor,
    /// whoever sends its money), a third covering the card fee, some naming a branch rather than sharing.
    /// </summary>
    private sealed class GiftMaker(Random random, SupporterKeys keys, IReadOnlyList<ShareOf> branches, int total, DateTimeOffset now)
    {
        private static readonly (double Below, long Pence)[] PersonAmounts =
            [(0.05, 300), (0.25, 500), (0.50, 1_000), (0.63, 2_000), (0.70, 2_500), (0.78, 5_000), (0.81, 10_000), (0.82, 25_000)];

        private static readonly long[] OrganisationAmounts = [5_000, 10_000, 10_000, 25_000, 25_000, 50_000, 100_000];

        private readonly int _organisationPool = Math.Max(20, total / 200);
        private readonly HashSet<int> _organisationsSeen = [];
        private readonly DateTimeOffset _start = now - Spread;
        private int _people;
        private int _made;

        public long RaisedPence { get; private set; }

        public int DistinctDonors => _people + _organisationsSeen.Count;

        public int Allocations { get; private set; }

        public int Entries { get; private set; }

        public List<Gift> Next(int count)
        {
            var batch = new List<Gift>(count);
            for (var i = 0; i < count; i++, _made++)
            {
                var paidAt = _start + (Spread * ((_made + random.NextDouble()) / total));
                var gift = random.NextDouble() < 0.04 ? FromOrganisation(paidAt) : FromPerson(paidAt);
                RaisedPence += gift.AmountPence + gift.FeeCoverPence;
                Allocations += gift.Parts.Count;
                Entries += gift.Parts.Count(p => p.Pence != 0);
                batch.Add(gift);
            }

            return batch;
        }

        private Gift FromPerson(DateTimeOffset paidAt)
        {
            var person = _people == 0 || random.NextDouble() < 0.72 ? _people++ : random.Next(_people);
            var first = DemoWords.First[person % DemoWords.First.Length];
            var last = DemoWords.Last[person / DemoWords.First.Length % DemoWords.Last.Length];
            var roll = random.NextDouble();
            var preset = PersonAmounts.FirstOrDefault(a => roll < a.Below).Pence;
            var amount = preset > 0 ? preset : 100 + (random.Next(0, 300) * 50);
            var publicName = random.NextDouble() < 0.4 ? $"{first} {last[0]}." : null;
            return Make(paidAt, amount, publicName, null, $"{first} {last}", $"supporter{person}@volume.example");
        }

        private Gift FromOrganisation(DateTimeOffset paidAt)
        {
            var number = random.Next(_organisationPool);
            _organisationsSeen.Add(number);
            var organisation = $"{DemoWords.Towns[number % DemoWords.Towns.Length]} {DemoWords.Organisations[number / DemoWords.Towns.Length % DemoWords.Organisations.Length]}"
                + (number >= DemoWords.Towns.Length * DemoWords.Organisations.Length ? $" ({number})" : "");
            var amount = OrganisationAmounts[random.Next(OrganisationAmounts.Length)];
            return Make(paidAt, amount, null, organisation, "Treasurer", $"treasurer{number}@organisation.example");
        }

        private Gift Make(DateTimeOffset paidAt, long amount, string? publicName, string? organisation, string donorName, string email)
        {
            var feeCover = random.NextDouble() < 0.35 ? ((amount * 150) + 9_999) / 10_000 + 20 : 0;
            var charged = amount + feeCover;
            var chosen = random.NextDouble() < 0.12 ? Chosen(random.Next(branches.Sum(b => b.ShareBasisPoints))) : (Guid?)null;
            IReadOnlyList<(Guid, long)> parts = chosen is { } branchId
                ? [(branchId, charged)]
                : Allocation.Split(charged, branches.Select(b => (long)b.ShareBasisPoints).ToArray()).Select((pence, i) => (branches[i].BranchId, pence)).ToList();
            return new Gift(
                Guid.CreateVersion7(paidAt), paidAt.AddMinutes(-2), paidAt, amount, feeCover, chosen, parts, publicName, organisation,
                donorName, email, keys.For(email, organisation)!);
        }

        /// <summary>A branch picked in proportion to its share, as donors who name one tend to pick the bigger.</summary>
        private Guid Chosen(int roll)
        {
            foreach (var branch in branches)
            {
                if (roll < branch.ShareBasisPoints)
                {
                    return branch.BranchId;
                }

                roll -= branch.ShareBasisPoints;
            }

            return branches[^1].BranchId;
        }
    }

    /// <summary>Approved messages over the last 30 days, each moderated within hours of arriving.</summary>
    private sealed class MessageMaker(Random random, int total, DateTimeOffset now, Moderator moderator)
    {
        private readonly DateTimeOffset _start = now - Spread;
        private int _made;

        public List<Note> Next(int count)
        {
            var batch = new List<Note>(count);
            for (var i = 0; i < count; i++, _made++)
            {
                var createdAt = _start + (Spread * ((_made + random.NextDouble()) / total));
                var moderatedAt = createdAt + TimeSpan.FromMinutes(random.Next(5, 600));
                var author = random.NextDouble() < 0.75
                    ? $"{DemoWords.First[random.Next(DemoWords.First.Length)]} {DemoWords.Last[random.Next(DemoWords.Last.Length)]}"
                    : null;
                var organisation = random.NextDouble() < 0.15
                    ? $"{DemoWords.Towns[random.Next(DemoWords.Towns.Length)]} {DemoWords.Organisations[random.Next(DemoWords.Organisations.Length)]}"
                    : null;
                var town = random.NextDouble() < 0.6 ? DemoWords.Towns[random.Next(DemoWords.Towns.Length)] : null;
                batch.Add(new Note(
                    Guid.CreateVersion7(createdAt), author, organisation, town, DemoWords.Messages[random.Next(DemoWords.Messages.Length)],
                    createdAt, moderatedAt < now ? moderatedAt : now, moderator));
            }

            return batch;
        }
    }
}
