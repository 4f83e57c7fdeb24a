using Solidarity.Core.Disputes;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.PublicPages;

/// <summary>Disputes arranged by a test, beside (or instead of) the demo data.</summary>
internal static class TestDisputes
{
    public static async Task<Dispute> AddAsync(
        SolidarityApp app, string slug, DisputeStatus status, bool published = true, Action<Dispute>? configure = null)
    {
        var dispute = await app.WithDbAsync(async db =>
        {
            var union = new Union { Name = $"Test union {slug}" };
            var dispute = new Dispute
            {
                Slug = slug,
                Title = $"Dispute {slug}",
                Employer = $"Employer {slug}",
                Union = union,
                Summary = $"Summary of {slug}.",
                Body = "Why they are out.",
                Status = status,
                IsPublished = published,
                CreatedAt = TestClock.Default,
                UpdatedAt = TestClock.Default,
            };
            configure?.Invoke(dispute);
            db.Disputes.Add(dispute);
            await db.SaveChangesAsync();
            return dispute;
        });
        return dispute;
    }
}
