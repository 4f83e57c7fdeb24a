using Solidarity.Core.Disputes;
using Solidarity.Core.Messages;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.PublicPages;

/// <summary>
/// Disputes with several of everything a public page shows (workplaces, branches, actions, news, messages), so a page
/// that loads any of them one row at a time would send many more commands than one that loads them together.
/// </summary>
internal static class BusyDisputes
{
    public const int Branches = 3;
    public const int Workplaces = 4;
    public const int Actions = 5;
    public const int Updates = 14;
    public const int Messages = 25;

    public static async Task<Dispute> AddAsync(SolidarityApp app, string slug, DisputeStatus status = DisputeStatus.TakingAction)
    {
        var now = TestClock.Default;
        var union = new Union { Name = $"Union of {slug}" };
        var branches = Enumerable.Range(1, Branches)
            .Select(i => new Branch
            {
                Code = $"{slug[..Math.Min(slug.Length, 20)]}-{i}", Name = $"Branch {i} of {slug}", Union = union,
                PostalAddress = $"{i} Example Street\nTown {i}", ContactName = $"Secretary {i}", ContactEmail = $"branch{i}@{slug}.example",
            })
            .ToList();
        var dispute = new Dispute
        {
            Slug = slug, Title = $"Dispute {slug}", Employer = $"Employer {slug}", Union = union, Summary = $"Summary of {slug}.",
            Body = "Why they are out.\n\nAnd why it matters.", Status = status, IsPublished = true, TargetPence = 1_000_000,
            CreatedAt = now.AddDays(-30), UpdatedAt = now.AddDays(-1),
        };
        dispute.Beneficiaries.AddRange(branches.Select((b, i) => new BeneficiaryBranch
        {
            Branch = b, ShareBasisPoints = i == 0 ? BeneficiaryBranch.WholeShare - ((Branches - 1) * 2_000) : 2_000,
        }));
        dispute.Workplaces.AddRange(Enumerable.Range(1, Workplaces).Select(i => new Workplace
        {
            Name = $"Depot {i}", Town = $"Town {i}", Branch = i <= Branches ? branches[i - 1] : null,
        }));
        dispute.Actions.AddRange(Enumerable.Range(0, Actions).Select(i => new DisputeAction
        {
            Kind = ActionKind.Strike, Title = $"Strike {i + 1}", StartsAt = now.AddDays((i * 3) - 6), EndsAt = now.AddDays((i * 3) - 5),
        }));
        dispute.Updates.AddRange(Enumerable.Range(1, Updates).Select(i => new DisputeUpdate
        {
            Title = $"News {i} of {slug}", Body = $"What happened on day **{i}**.", AuthorName = "The organisers",
            Status = UpdateStatus.Published, PublishedAt = now.AddDays(-Updates + i - 1),
        }));
        dispute.Updates.Add(new DisputeUpdate { Title = "A draft", Body = "Not yet.", AuthorName = "The organisers", Status = UpdateStatus.Draft });

        await app.WithDbAsync(async db =>
        {
            db.Disputes.Add(dispute);
            db.SupportMessages.AddRange(Enumerable.Range(1, Messages).Select(i => new SupportMessage
            {
                DisputeId = dispute.Id, AuthorName = $"Supporter {i}", Town = "Anytown", Body = $"Message {i} to {slug}",
                Status = ModerationStatus.Approved, CreatedAt = now.AddHours(-Messages + i - 1), ModeratedAt = now,
            }));
            db.SupportMessages.Add(new SupportMessage { DisputeId = dispute.Id, Body = "Waiting for a moderator", CreatedAt = now });
            await db.SaveChangesAsync();
        });
        return dispute;
    }
}
