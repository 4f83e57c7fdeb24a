using Npgsql;

namespace Solidarity.Core.Data;

public static class DbUpdateExceptions
{
    /// <summary>A unique index refused the row: another request or job got there first.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
