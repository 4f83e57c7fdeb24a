using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Solidarity.Core.Donations;
using Solidarity.Web.Infrastructure.Data;
using Solidarity.Web.Pages.Ledger;
using Stripe;
using Stripe.Checkout;

namespace Solidarity.Web.Pages.Donations.Webhooks;

/// <summary>
/// A paid one-off Checkout Session naming its donation, with what Stripe's API said about its charge: most of what a
/// busy day delivers, and what <see cref="PaidSessionBatches"/> gathers to apply together.
/// </summary>
internal sealed record PaidSession(Event Event, Session Session, Guid DonationId, string? ChargeId, StripeFee? Fee)
{
    public DateTimeOffset OccurredAt { get; } = new(DateTime.SpecifyKind(Event.Created, DateTimeKind.Utc));
}

/// <summary>A batch committed: each session's outcome (null: to be applied alone), the donations now paid, and their disputes.</summary>
internal sealed record PaidSessionsApplied(string?[] Outcomes, IReadOnlyList<Guid> PaidNow, IReadOnlyList<Guid> Disputes);

/// <summary>Paid Checkout Sessions applied many to a transaction: the same effects as one by one, in a few statements.</summary>
internal sealed partial class StripeEventProcessor
{
    /// <summary>
    /// Records the events whose donation is a card donation, sorted by id, and says of each such event whether this
    /// statement recorded it (false: an earlier or concurrent delivery had). Events naming no card donation are left out.
    /// </summary>
    private const string ClaimSql = """
        WITH candidate AS (
            SELECT e.* FROM unnest(@ids, @types, @objects, @created, @donations)
                AS e ("EventId", "Type", "ObjectId", "StripeCreatedAt", "DonationId")
            WHERE EXISTS (SELECT 1 FROM "Donations" AS d WHERE d."Id" = e."DonationId" AND d."Method" = @card)),
        claimed AS (
            INSERT INTO "StripeEvents" ("EventId", "Type", "ObjectId", "StripeCreatedAt", "ReceivedAt", "Outcome", "DonationId")
            SELECT "EventId", "Type", "ObjectId", "StripeCreatedAt", @receivedAt, @outcome, "DonationId" FROM candidate ORDER BY "EventId"
            ON CONFLICT ("EventId") DO NOTHING
            RETURNING "EventId")
        SELECT c."EventId", claimed."EventId" IS NOT NULL AS "Claimed" FROM candidate AS c LEFT JOIN claimed USING ("EventId")
        """;

    /// <summary>
    /// The allocations of the candidates' donations, sent in the round trip that records the events: a donation's split
    /// is fixed when it is made, so it is read before the donation is locked, and the lock needs a round trip fewer.
    /// </summary>
    private const string AllocationsSql = """
        SELECT "DonationId", "BranchId", "AmountPence" FROM "DonationAllocations" WHERE "DonationId" = ANY(@donations)
        """;

    /// <summary>
    /// What a batch changed in its donations (read untracked), written in one statement before their entries are posted.
    /// A gift with no entries yet is about to receive its allocations, so it counts as a supporter once they are posted:
    /// its flag is set here, in the same new version of the row, and the supporter trigger finds nothing to rewrite.
    /// </summary>
    private const string PaidSql = """
        UPDATE "Donations" AS d
        SET "Status" = c."Status", "PaidAt" = c."PaidAt", "StripeCheckoutSessionId" = c."SessionId",
            "StripePaymentIntentId" = c."IntentId", "StripeChargeId" = c."ChargeId",
            "CountsAsSupporter" = d."CountsAsSupporter"
                OR (c."Receiving" AND NOT EXISTS (SELECT 1 FROM "LedgerEntries" AS e WHERE e."DonationId" = d."Id"))
        FROM unnest(@ids, @statuses, @paid, @sessions, @intents, @charges, @receiving)
            AS c ("Id", "Status", "PaidAt", "SessionId", "IntentId", "ChargeId", "Receiving")
        WHERE d."Id" = c."Id"
        """;

    /// <summary>
    /// The event as a <see cref="PaidSession"/>, when it is one: the events <see cref="SessionPaidAsync"/> would confirm
    /// a one-off gift with, naming the donation the site made.
    /// </summary>
    private static PaidSession? PaidSessionOf(Event stripeEvent, Facts facts) =>
        stripeEvent.Data?.Object is Session { Mode: not "subscription" } session
        && (stripeEvent.Type == EventTypes.CheckoutSessionAsyncPaymentSucceeded
            || (stripeEvent.Type == EventTypes.CheckoutSessionCompleted && session.PaymentStatus == "paid"))
        && (Metadata(session.Metadata) ?? ParseId(session.ClientReferenceId)) is { } donationId
            ? new PaidSession(stripeEvent, session, donationId, facts.Charge?.Id, Fee(facts.Fee))
            : null;

    /// <summary>
    /// Applies a batch of paid sessions in one transaction, taking the locks one event takes in the same order (the
    /// events' rows, then the donations sorted by id, then their branches sorted by id) once for the whole batch. The
    /// branches are locked after the donations' rows are written, by the statement that posts the entries, ahead of them;
    /// the update, the lock, the entries and the commit travel in one round trip. Every payment to the dispute waits for
    /// the branches, and <see cref="PaidSessionBatches"/> has the next batch take its first steps meanwhile.
    /// </summary>
    /// <returns>
    /// What was committed, and each session's outcome, in order; null for a session this batch leaves to be applied
    /// alone, because it names no card donation (the alone path looks further, and records what it finds) or another
    /// event in the batch is about the same donation.
    /// </returns>
    public async Task<PaidSessionsApplied> ApplyPaidSessionsAsync(IReadOnlyList<PaidSession> batch, CancellationToken cancellationToken)
    {
        // The first delivery of each event, and the first event about each donation; the rest wait for a batch of their own.
        var chosen = new Dictionary<string, int>(StringComparer.Ordinal);
        var donationsChosen = new HashSet<Guid>();
        foreach (var (paid, index) in batch.Select((p, i) => (p, i)))
        {
            if (!chosen.ContainsKey(paid.Event.Id) && donationsChosen.Add(paid.DonationId))
            {
                chosen.Add(paid.Event.Id, index);
            }
        }

        var candidates = chosen.Values.Select(i => batch[i]).ToList();

        // A failure anywhere rolls the whole batch back (and its events are then applied alone), so SaveChanges needs
        // no savepoint of its own: two round trips fewer.
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (claims, allocations) = await ClaimAsync(candidates, cancellationToken);
        var applying = candidates.Where(p => claims.GetValueOrDefault(p.Event.Id)).ToList();
        var donations = await LedgerLocks.CardDonationsAsync(db, applying.Select(p => p.DonationId), allocations, cancellationToken);
        var confirmed = new List<(Donation Donation, PaidSession Paid)>(applying.Count);
        var paidNow = new List<Guid>();
        var changed = new List<Donation>(applying.Count);
        var mismatched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var paid in applying)
        {
            var donation = donations.GetValueOrDefault(paid.DonationId)
                ?? throw new InvalidOperationException($"Donation {paid.DonationId} was found but could not be locked.");
            if (Mismatched(donation, paid.Session.AmountTotal, paid.Session.Currency, paid.Session.Id))
            {
                var record = new StripeEventRecord { EventId = paid.Event.Id, Type = paid.Event.Type, Outcome = WebhookOutcomes.Applied };
                db.StripeEvents.Attach(record);
                record.Outcome = WebhookOutcomes.AmountMismatch;
                mismatched.Add(paid.Event.Id);
                continue;
            }

            var before = (donation.StripeCheckoutSessionId, donation.StripePaymentIntentId, donation.StripeChargeId);
            NoteSession(donation, paid.Session, paid.ChargeId);
            if (MarkPaid(donation, paid.OccurredAt))
            {
                paidNow.Add(donation.Id);
                changed.Add(donation);
            }
            else if (before != (donation.StripeCheckoutSessionId, donation.StripePaymentIntentId, donation.StripeChargeId))
            {
                changed.Add(donation);
            }

            confirmed.Add((donation, paid));
        }

        // The events whose amount did not match are marked first (no round trip when there are none). Then the donations'
        // own rows are written under their own locks, the branches are locked by the statement that posts, and the
        // transaction commits: all in one round trip, the update first, so the branches are held for none.
        await db.SaveChangesAsync(cancellationToken);
        var branches = LedgerLocks.BranchesOnPosting(confirmed.Select(c => c.Donation));
        var payments = confirmed
            .Select(c => new ConfirmedPayment(branches[c.Donation.Id], c.Paid.Session.PaymentIntentId ?? c.Paid.Session.Id, c.Paid.OccurredAt, c.Paid.Fee))
            .ToList();
        await ledger.PaymentsConfirmedAndCommitAsync(branches, payments, cancellationToken, ahead: PaidCommand(changed));
        return new PaidSessionsApplied(
            batch.Select((paid, index) => OutcomeOf(paid, index)).ToArray(),
            paidNow,
            payments.Select(p => p.Locked.Donation.DisputeId).Distinct().ToList());

        string? OutcomeOf(PaidSession paid, int index) =>
            !chosen.TryGetValue(paid.Event.Id, out var first) || !claims.TryGetValue(paid.Event.Id, out var claimed) ? null
            : first != index || !claimed ? WebhookOutcomes.Duplicate
            : mismatched.Contains(paid.Event.Id) ? WebhookOutcomes.AmountMismatch
            : WebhookOutcomes.Applied;
    }

    /// <summary>The update of <see cref="PaidSql"/> for the donations a batch changed; null when it changed none.</summary>
    private static NpgsqlBatchCommand? PaidCommand(List<Donation> changed)
    {
        if (changed.Count == 0)
        {
            return null;
        }

        return StatementBatches.Command(
            PaidSql,
            new("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = changed.Select(d => d.Id).ToArray() },
            new("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = changed.Select(d => d.Status.ToString()).ToArray() },
            new("paid", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = changed.Select(d => d.PaidAt?.UtcDateTime).ToArray() },
            new("sessions", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = changed.Select(d => d.StripeCheckoutSessionId).ToArray() },
            new("intents", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = changed.Select(d => d.StripePaymentIntentId).ToArray() },
            new("charges", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = changed.Select(d => d.StripeChargeId).ToArray() },
            new("receiving", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = changed.Select(d => d.Allocations.Sum(a => a.AmountPence) > 0).ToArray() });
    }

    /// <summary>
    /// Records the events (<see cref="ClaimSql"/>) and reads their donations' allocations (<see cref="AllocationsSql"/>)
    /// in one round trip.
    /// </summary>
    /// <returns>Whether this statement recorded each candidate event, by id; and the allocations, by donation.</returns>
    private async Task<(Dictionary<string, bool> Claims, ILookup<Guid, DonationAllocation> Allocations)> ClaimAsync(
        IReadOnlyList<PaidSession> sessions, CancellationToken cancellationToken)
    {
        var donationIds = sessions.Select(p => p.DonationId).ToArray();
        await using var batch = StatementBatches.InTransaction(db);
        batch.BatchCommands.Add(StatementBatches.Command(
            ClaimSql,
            new("receivedAt", time.GetUtcNow().UtcDateTime) { NpgsqlDbType = NpgsqlDbType.TimestampTz },
            new("outcome", WebhookOutcomes.Applied),
            new("card", DonationMethod.Card.ToString()),
            new("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = sessions.Select(p => p.Event.Id).ToArray() },
            new("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = sessions.Select(p => p.Event.Type).ToArray() },
            new("objects", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = sessions.Select(p => p.Session.Id).ToArray() },
            new("created", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = sessions.Select(p => p.OccurredAt.UtcDateTime).ToArray() },
            new("donations", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = donationIds }));
        batch.BatchCommands.Add(StatementBatches.Command(
            AllocationsSql, new NpgsqlParameter("donations", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = donationIds }));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var claims = new Dictionary<string, bool>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            claims[reader.GetString(0)] = reader.GetBoolean(1);
        }

        await reader.NextResultAsync(cancellationToken);
        var allocations = new List<DonationAllocation>();
        while (await reader.ReadAsync(cancellationToken))
        {
            allocations.Add(new DonationAllocation { DonationId = reader.GetGuid(0), BranchId = reader.GetGuid(1), AmountPence = reader.GetInt64(2) });
        }

        return (claims, allocations.ToLookup(a => a.DonationId));
    }
}
