using Npgsql;

namespace Solidarity.Core.Data;

public static class DbUpdateExceptions
{
    /// <summary>A unique index refused the row: another request or job got there first.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>A unique index whose name contains <paramref name="namePart"/> (a table or a column) refused the row.</summary>
    public static bool IsUniqueViolationOf(this DbUpdateException exception, string namePart) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique
        && unique.ConstraintName?.Contains(namePart, StringComparison.OrdinalIgnoreCase) == true;
}
