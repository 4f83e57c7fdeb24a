using Npgsql;

namespace Solidarity.Testing;

/// <summary>
/// The sessions of a test's database that are waiting for a lock: how a test sees that one transaction queues behind
/// another, without timing either.
/// </summary>
public static class LockWaits
{
    /// <summary>The statements of the sessions waiting for a lock now.</summary>
    public static async Task<IReadOnlyList<string>> StatementsAsync(string connectionString)
    {
        // A connection of its own each time: inside a transaction pg_stat_activity would answer the same snapshot.
        await using var observer = new NpgsqlConnection(connectionString);
        await observer.OpenAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT query FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
            """,
            observer);
        var statements = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            statements.Add(reader.GetString(0));
        }

        return statements;
    }

    /// <summary>
    /// Polls the waiting statements until <paramref name="enough"/> holds of them, <paramref name="stopWhen"/> has ended
    /// (what should have waited did not), or <paramref name="bound"/> passes; returns the statements last seen.
    /// </summary>
    public static async Task<IReadOnlyList<string>> UntilAsync(
        string connectionString, Func<IReadOnlyList<string>, bool> enough, TimeSpan bound, Task? stopWhen = null)
    {
        var deadline = DateTime.UtcNow + bound;
        IReadOnlyList<string> waiting = [];
        while (DateTime.UtcNow < deadline && stopWhen?.IsCompleted != true)
        {
            waiting = await StatementsAsync(connectionString);
            if (enough(waiting))
            {
                break;
            }

            await Task.Delay(50);
        }

        return waiting;
    }
}
