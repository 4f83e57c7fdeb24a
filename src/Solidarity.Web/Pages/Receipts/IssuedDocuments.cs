using Microsoft.EntityFrameworkCore.Storage;
using Solidarity.Core.Email;

namespace Solidarity.Web.Pages.Receipts;

internal static class IssuedDocuments
{
    /// <summary>
    /// Stores a receipt or credit note, with the delivery row its e-mail will need, and commits. False when another
    /// run stored the same document first (a unique index says so): rolling back returns the number to the sequence.
    /// </summary>
    public static async Task<bool> CommitAsync(
        SolidarityDbContext db, IDbContextTransaction transaction, Receipt document, bool emailed, CancellationToken cancellationToken)
    {
        db.Receipts.Add(document);
        if (emailed)
        {
            db.EmailDeliveries.Add(new EmailDelivery { Key = SendReceiptEmailJob.DeliveryKey(document.Id), CreatedAt = document.IssuedAt });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return false;
        }
    }
}
