using System.Text.Json;
using System.Text.Json.Serialization;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Disputes;

internal sealed record WorkplaceView(string Name, string Town, string? BranchCode, string? BranchName);

internal sealed record BranchView(string Code, string Name, string ContactName, string? ContactEmail, string PostalAddress, int ShareBasisPoints)
{
    public IEnumerable<string> AddressLines => PostalAddress.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string SharePercent => $"{ShareBasisPoints / 100m:0.##}%";
}

internal sealed record DisputePage(
    Guid Id,
    string Slug,
    string Title,
    string Employer,
    string Union,
    string? UnionWebsite,
    string Summary,
    string Body,
    DisputeStatus Status,
    int? WorkersInvolved,
    long? TargetPence,
    string? ChequePayee,
    string? OfflineGivingNotes,
    string? Disclaimer,
    IReadOnlyList<WorkplaceView> Workplaces,
    IReadOnlyList<BranchView> Branches,
    IReadOnlyList<ActionView> Actions,
    IReadOnlyList<Supporters.NamedGift> LatestSupporters)
{

    /// <summary>
    /// The dispute and its workplaces, branches, actions and newest named supporters in one command and one row: each
    /// list comes back as a JSON array built by PostgreSQL. The supporters are those the supporters page lists first
    /// (<see cref="Supporters.SupportersQuery"/>), read by the same partial index. Joining the three lists in one query instead would return every combination of them
    /// (the dispute's text repeated on each), and a split query would cost a command per list.
    /// </summary>
    private const string Sql = """
        SELECT d."Id", d."Slug", d."Title", d."Employer", u."Name" AS "Union", u."Website" AS "UnionWebsite", d."Summary", d."Body",
            d."Status", d."WorkersInvolved", d."TargetPence", d."ChequePayee", d."OfflineGivingNotes", d."Disclaimer",
            COALESCE((
                SELECT json_agg(json_build_object('name', w."Name", 'town', w."Town", 'branchCode', b."Code", 'branchName', b."Name")
                    ORDER BY w."Town", w."Name")
                FROM "Workplaces" AS w LEFT JOIN "Branches" AS b ON b."Id" = w."BranchId"
                WHERE w."DisputeId" = d."Id"), '[]')::text AS "Workplaces",
            COALESCE((
                SELECT json_agg(json_build_object(
                        'code', b."Code", 'name', b."Name", 'contactName', b."ContactName", 'contactEmail', b."ContactEmail",
                        'postalAddress', b."PostalAddress", 'shareBasisPoints', bb."ShareBasisPoints")
                    ORDER BY bb."ShareBasisPoints" DESC, b."Code")
                FROM "BeneficiaryBranches" AS bb JOIN "Branches" AS b ON b."Id" = bb."BranchId"
                WHERE bb."DisputeId" = d."Id"), '[]')::text AS "Branches",
            COALESCE((
                SELECT json_agg(json_build_object(
                        'kind', a."Kind", 'title', a."Title", 'details', a."Details", 'startsAt', a."StartsAt", 'endsAt', a."EndsAt")
                    ORDER BY a."StartsAt", a."Id")
                FROM "DisputeActions" AS a
                WHERE a."DisputeId" = d."Id"), '[]')::text AS "Actions",
            COALESCE((
                SELECT json_agg(json_build_object(
                        'id', s."Id", 'publicName', s."PublicName", 'organisationName', s."OrganisationName",
                        'amountPence', CASE WHEN s."ShowAmountPublicly" THEN s."AmountPence" END, 'givenAt', s."PaidAt")
                    ORDER BY s."PaidAt" DESC, s."Id" DESC)
                FROM (
                    SELECT g."Id", g."PublicName", g."OrganisationName", g."ShowAmountPublicly", g."AmountPence", g."PaidAt"
                    FROM "Donations" AS g
                    WHERE g."DisputeId" = d."Id" AND g."CountsAsSupporter" AND g."ErasedAt" IS NULL
                        AND (g."PublicName" IS NOT NULL OR g."OrganisationName" IS NOT NULL) AND g."PaidAt" IS NOT NULL
                    ORDER BY g."PaidAt" DESC, g."Id" DESC
                    LIMIT 5) AS s), '[]')::text AS "LatestSupporters"
        FROM "Disputes" AS d JOIN "Unions" AS u ON u."Id" = d."UnionId"
        WHERE d."Slug" = @slug AND d."IsPublished"
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// Loads a published dispute by its slug, or null: an unpublished dispute is as unknown to the
    /// public as one that does not exist.
    /// </summary>
    public static async Task<DisputePage?> LoadAsync(SolidarityDbContext db, string? slug, CancellationToken cancellationToken)
    {
        if (!Slugs.IsWellFormed(slug))
        {
            return null;
        }

        var row = (await db.Database.SqlQueryRaw<Row>(Sql, new Npgsql.NpgsqlParameter("slug", slug)).ToListAsync(cancellationToken))
            .SingleOrDefault();
        if (row is null)
        {
            return null;
        }

        // PostgreSQL writes times in JSON with the session's offset; the pages work in UTC.
        var actions = Parse<ActionView>(row.Actions)
            .Select(a => a with { StartsAt = a.StartsAt.ToUniversalTime(), EndsAt = a.EndsAt.ToUniversalTime() })
            .ToList();
        return new DisputePage(
            row.Id, row.Slug, row.Title, row.Employer, row.Union, row.UnionWebsite, row.Summary, row.Body,
            Enum.Parse<DisputeStatus>(row.Status), row.WorkersInvolved, row.TargetPence, row.ChequePayee, row.OfflineGivingNotes,
            row.Disclaimer, Parse<WorkplaceView>(row.Workplaces), Parse<BranchView>(row.Branches), actions,
            Parse<Supporters.NamedGift>(row.LatestSupporters).Select(g => g with { GivenAt = g.GivenAt.ToUniversalTime() }).ToList());
    }

    private static List<T> Parse<T>(string json) => JsonSerializer.Deserialize<List<T>>(json, Json) ?? [];

    private sealed class Row
    {
        public Guid Id { get; init; }
        public string Slug { get; init; } = "";
        public string Title { get; init; } = "";
        public string Employer { get; init; } = "";
        public string Union { get; init; } = "";
        public string? UnionWebsite { get; init; }
        public string Summary { get; init; } = "";
        public string Body { get; init; } = "";
        public string Status { get; init; } = "";
        public int? WorkersInvolved { get; init; }
        public long? TargetPence { get; init; }
        public string? ChequePayee { get; init; }
        public string? OfflineGivingNotes { get; init; }
        public string? Disclaimer { get; init; }
        public string Workplaces { get; init; } = "[]";
        public string Branches { get; init; } = "[]";
        public string Actions { get; init; } = "[]";
        public string LatestSupporters { get; init; } = "[]";
    }
}

internal static class Paragraphs
{
    /// <summary>Plain text with blank lines between paragraphs, as admins type it.</summary>
    public static IEnumerable<string> Split(string? text) =>
        (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
