using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Solidarity.Web.Infrastructure.Data;

/// <summary>
/// Statements sent together in one round trip, in the transaction a context holds open: EF sends one command at a
/// time, and the webhook's batches, which every payment of a busy day waits for, need fewer round trips than that.
/// </summary>
internal static class StatementBatches
{
    /// <summary>An empty Npgsql batch on the context's connection, in its transaction; refused outside one.</summary>
    public static NpgsqlBatch InTransaction(SolidarityDbContext db) =>
        new(
            (NpgsqlConnection)db.Database.GetDbConnection(),
            db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
                ?? throw new InvalidOperationException("These statements are sent in the transaction that holds their locks."));

    /// <summary>
    /// Ends the transaction as the last statement of such a batch, so that whatever the batch locked is released in the
    /// round trip that took it. Once the server reports the connection idle, Npgsql counts the transaction as completed:
    /// disposing it then rolls nothing back, and committing it again is refused, so the caller only disposes it. A
    /// statement that fails stops the batch before the commit, and disposing the transaction rolls back everything.
    /// </summary>
    public static NpgsqlBatchCommand Commit() => new("COMMIT");

    /// <summary>One statement of such a batch, with its parameters.</summary>
    public static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }
}
