using Microsoft.EntityFrameworkCore.Query;

namespace Solidarity.Web.Pages.Remittances;

/// <summary>What an admin types to record a bank transfer.</summary>
internal sealed record PaymentRequest(DateOnly? PaidOn, string? Amount, string? BankReference);

/// <summary>The outcome of an action: done, or the reasons it was refused, by form field ("" for the whole form).</summary>
internal sealed record RemittanceResult(bool Done, IReadOnlyList<KeyValuePair<string, string>> Errors, string? Message = null)
{
    public static RemittanceResult Refused(string field, string message) => new(false, [new(field, message)]);
}

/// <summary>
/// Approving statements, recording the transfers that pay them, and branches confirming that the money
/// arrived. Money moves only through the ledger: a payment posts a negative Remittance entry per dispute
/// in the transaction that records it, keyed by the payment, so it can never post twice. Each payment pays one
/// approved statement, and all the payments against a statement together never exceed what it approved.
/// </summary>
internal sealed class RemittancePayments(
    SolidarityDbContext db, LedgerPostings ledger, AuditTrail audit, IOptions<RemittanceSettings> settings, TimeProvider time, PublicPageCache pages)
{
    public const int MaxReferenceLength = 100;

    /// <summary>Whether one admin may approve a statement and record its payment on a site that has only one admin.</summary>
    public bool AllowSingleAdmin => settings.Value.AllowSingleAdmin;

    /// <summary>
    /// How many admins the site has who can sign in (enabled, with a second factor): a disabled admin keeps the role, and
    /// would otherwise leave the one admin still working unable to pay a branch at all.
    /// </summary>
    public Task<int> AdminCountAsync(CancellationToken cancellationToken) =>
        AccountStates.ActiveAdmins(db, time.GetUtcNow()).CountAsync(cancellationToken);

    /// <summary>
    /// Whether <paramref name="userId"/> may record the payment of a statement approved by <paramref name="approvedBy"/>:
    /// only someone else, unless the site has one admin and <c>Remittances:AllowSingleAdmin</c> waives the rule.
    /// </summary>
    public static bool TwoPersonRuleAllows(Guid? approvedBy, Guid? userId, int adminCount, bool allowSingleAdmin) =>
        approvedBy != userId || (allowSingleAdmin && adminCount <= 1);

    /// <summary>What the branch is owed now: the sum of every entry posted to it.</summary>
    public async Task<long> OwedAsync(Guid branchId, CancellationToken cancellationToken) =>
        await db.LedgerEntries.Where(e => e.BranchId == branchId).SumAsync(e => (long?)e.AmountPence, cancellationToken) ?? 0;

    /// <summary>
    /// What a statement approved (its closing balance, never below zero), and what has been paid to its branch since its
    /// period ended, against it or against any other statement. A statement's closing balance carries forward whatever
    /// the one before left unpaid, and takes off every transfer recorded within its period; so a transfer recorded after
    /// it, against an older statement, pays part of what this one approved too, and the same money is never paid twice.
    /// </summary>
    public async Task<(long Approved, long Paid)> StatementPaymentsAsync(Guid statementId, CancellationToken cancellationToken)
    {
        var statement = await db.RemittanceStatements.AsNoTracking()
            .Where(s => s.Id == statementId)
            .Select(s => new { s.BranchId, s.PeriodEnd, s.ClosingPence })
            .SingleAsync(cancellationToken);
        var transferred = await db.LedgerEntries
            .Where(e => e.BranchId == statement.BranchId && e.Kind == LedgerEntryKind.Remittance && e.RecordedAt >= statement.PeriodEnd)
            .SumAsync(e => (long?)e.AmountPence, cancellationToken) ?? 0;
        return (Math.Max(statement.ClosingPence, 0), -transferred);
    }

    /// <summary>
    /// A sign-off that happens once (a statement's approval, a transfer's confirmation): the rows still unsigned are
    /// stamped with who signed and when, and the audit entry commits with them.
    /// </summary>
    /// <returns>False when there was nothing left to sign: signed before, by this person or another, and nothing changed.</returns>
    private async Task<bool> SignOffOnceAsync<T>(
        IQueryable<T> unsigned, Action<UpdateSettersBuilder<T>, DateTimeOffset, Guid?, string> stamp, ClaimsPrincipal signer, string action,
        string subjectType, Guid subjectId, CancellationToken cancellationToken)
    {
        var (now, userId, name) = (time.GetUtcNow(), BranchOfficers.UserId(signer), BranchOfficers.UserName(signer));
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await unsigned.ExecuteUpdateAsync(row => stamp(row, now, userId, name), cancellationToken) == 0)
        {
            return false;
        }

        audit.Record(signer, action, subjectType, subjectId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static string AlreadyRecorded(long pence, DateOnly paidOn, string reference) =>
        $"A transfer of {Money.Pence(pence).Format()} to this branch on {paidOn.ToString("d MMMM yyyy", LondonClock.Uk)} with the bank reference " +
        $"{reference} is already recorded; nothing was posted.";

    public async Task<RemittanceResult> ApproveAsync(Guid statementId, ClaimsPrincipal admin, CancellationToken cancellationToken) =>
        await SignOffOnceAsync(
            db.RemittanceStatements.Where(s => s.Id == statementId && s.ApprovedAt == null),
            (row, now, userId, name) => row.SetProperty(x => x.ApprovedAt, now).SetProperty(x => x.ApprovedByUserId, userId).SetProperty(x => x.ApprovedByName, name),
            admin, AuditActions.StatementApproved, nameof(RemittanceStatement), statementId, cancellationToken)
            ? new RemittanceResult(true, [], "Statement approved.")
            : new RemittanceResult(false, [], "The statement was already approved; nothing changed.");

    public async Task<RemittanceResult> RecordAsync(Guid statementId, PaymentRequest request, ClaimsPrincipal admin, CancellationToken cancellationToken)
    {
        var errors = new List<KeyValuePair<string, string>>();
        var amount = TypedPounds.Read(request.Amount);
        if (amount.Problem is { } problem)
        {
            errors.Add(new("Input.Amount", problem));
        }

        var pence = amount.Pence;
        var today = DateOnly.FromDateTime(LondonClock.ToLondon(time.GetUtcNow()).DateTime);
        if (request.PaidOn is null)
        {
            errors.Add(new("Input.PaidOn", "Enter the date the transfer was made."));
        }
        else if (request.PaidOn > today)
        {
            errors.Add(new("Input.PaidOn", "The payment date cannot be in the future."));
        }

        var reference = request.BankReference?.Trim();
        if (string.IsNullOrEmpty(reference))
        {
            errors.Add(new("Input.BankReference", "Enter the bank's reference for the transfer."));
        }
        else if (reference.Length > MaxReferenceLength)
        {
            errors.Add(new("Input.BankReference", $"The bank reference can be up to {MaxReferenceLength} characters."));
        }
        else if (RemittancePayment.NormaliseReference(reference).Length == 0)
        {
            errors.Add(new("Input.BankReference", "Enter the bank's reference as the bank statement shows it: it has letters or digits."));
        }

        if (errors.Count > 0)
        {
            return new RemittanceResult(false, errors);
        }

        var userId = BranchOfficers.UserId(admin) ?? throw new InvalidOperationException("A payment is recorded by a signed-in admin.");
        var referenceKey = RemittancePayment.NormaliseReference(reference!);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var statement = await db.RemittanceStatements.AsNoTracking()
            .Where(s => s.Id == statementId)
            .Select(s => new { s.Id, s.BranchId, s.ApprovedAt, s.ApprovedByUserId })
            .SingleOrDefaultAsync(cancellationToken);
        if (statement is null)
        {
            return RemittanceResult.Refused("", "There is no such statement.");
        }

        // A transfer pays out money the branch was given, so it cannot be older than the first of that money: a mistyped year
        // (2016 for 2017) would otherwise be published on the open books, and dated so in the ledger. A transfer made before
        // the site was used, and recorded afterwards, is still dated as the bank shows it.
        var firstMoney = await db.LedgerEntries.Where(e => e.BranchId == statement.BranchId).MinAsync(e => (DateTimeOffset?)e.OccurredAt, cancellationToken);
        if (firstMoney is { } first && request.PaidOn < DateOnly.FromDateTime(LondonClock.ToLondon(first).DateTime))
        {
            return RemittanceResult.Refused(
                "Input.PaidOn",
                $"The payment date cannot be before the first money the branch was given ({LondonClock.ToLondon(first).ToString("d MMMM yyyy", LondonClock.Uk)}).");
        }

        // Payments to one branch queue here, so two admins cannot both pay the same balance or the same statement.
        var branch = await LedgerLocks.BranchAsync(db, statement.BranchId, cancellationToken);
        if (statement.ApprovedAt is null)
        {
            return RemittanceResult.Refused("", "Approve the statement before recording the transfer that pays it.");
        }

        if (!TwoPersonRuleAllows(statement.ApprovedByUserId, userId, await AdminCountAsync(cancellationToken), AllowSingleAdmin))
        {
            return RemittanceResult.Refused("", "You approved this statement, so another admin must record its payment (two-person rule).");
        }

        var paidOnDay = request.PaidOn!.Value;
        if (await db.RemittancePayments.AnyAsync(
            p => p.BranchId == statement.BranchId && p.ReferenceKey == referenceKey && p.PaidOn == paidOnDay && p.AmountPence == pence, cancellationToken))
        {
            return RemittanceResult.Refused("Input.BankReference", AlreadyRecorded(pence, paidOnDay, reference!));
        }

        var (approved, paid) = await StatementPaymentsAsync(statement.Id, cancellationToken);
        if (pence > approved - paid)
        {
            return RemittanceResult.Refused(
                "Input.Amount",
                $"That is more than this statement has left to pay ({Money.Pence(Math.Max(approved - paid, 0)).Format()}: " +
                $"{Money.Pence(approved).Format()} approved, {Money.Pence(paid).Format()} paid to the branch since its period ended); nothing was posted.");
        }

        var owed = (await ledger.OwedByDisputeAsync(branch, cancellationToken)).Sum(d => d.Pence);
        if (pence > owed)
        {
            return RemittanceResult.Refused(
                "Input.Amount", $"That is more than the branch is owed ({Money.Pence(Math.Max(owed, 0)).Format()}); nothing was posted.");
        }

        var now = time.GetUtcNow();
        var payment = new RemittancePayment
        {
            StatementId = statement.Id,
            BranchId = statement.BranchId,
            AmountPence = pence,
            PaidOn = paidOnDay,
            BankReference = reference!,
            ReferenceKey = referenceKey,
            RecordedAt = now,
            RecordedByUserId = userId,
            RecordedByName = BranchOfficers.UserName(admin),
        };
        db.RemittancePayments.Add(payment);
        audit.Record(admin, AuditActions.RemittanceRecorded, nameof(RemittancePayment), payment.Id.ToString(), new
        {
            payment.StatementId, payment.BranchId, payment.AmountPence, payment.PaidOn, payment.BankReference,
        });

        var paidOn = LondonClock.FromLondon(payment.PaidOn.ToDateTime(TimeOnly.MinValue));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await ledger.RemittancePaidAsync(branch, payment.Id, pence, paidOn, $"Bank transfer {reference}", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return RemittanceResult.Refused("Input.BankReference", AlreadyRecorded(pence, paidOnDay, reference!));
        }

        // The open books of every dispute the branch is paid for list the payment: this process shows it at once.
        await pages.EvictAllAsync(cancellationToken);
        return new RemittanceResult(true, [], $"Recorded {Money.Pence(pence).Format()} paid on {payment.PaidOn:d MMMM yyyy} ({reference}).");
    }

    /// <summary>The branch officer says the money arrived. Once: a second confirmation changes nothing.</summary>
    public async Task<RemittanceResult?> ConfirmAsync(Guid paymentId, Guid branchId, ClaimsPrincipal officer, CancellationToken cancellationToken)
    {
        if (!await db.RemittancePayments.AnyAsync(p => p.Id == paymentId && p.BranchId == branchId, cancellationToken))
        {
            return null;
        }

        if (!await SignOffOnceAsync(
            db.RemittancePayments.Where(p => p.Id == paymentId && p.BranchId == branchId && p.ConfirmedAt == null),
            (row, now, userId, name) => row.SetProperty(x => x.ConfirmedAt, now).SetProperty(x => x.ConfirmedByUserId, userId).SetProperty(x => x.ConfirmedByName, name),
            officer, AuditActions.RemittanceConfirmed, nameof(RemittancePayment), paymentId, cancellationToken))
        {
            return new RemittanceResult(false, [], "This transfer was already confirmed; nothing changed.");
        }

        await pages.EvictAllAsync(cancellationToken);
        return new RemittanceResult(true, [], "Thank you: the transfer is confirmed as received.");
    }
}
