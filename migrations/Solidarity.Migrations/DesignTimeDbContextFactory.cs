using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Solidarity.Core.Data;

namespace Solidarity.Migrations;

/// <summary>Lets `dotnet ef` build the model without starting the site; generating a migration needs no server.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<SolidarityDbContext>
{
    public SolidarityDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SolidarityDbContext>()
            .UseNpgsql("Host=127.0.0.1;Database=solidarity_design", npgsql => npgsql.MigrationsAssembly(SolidarityDbContext.MigrationsAssembly))
            .Options;
        return new SolidarityDbContext(options);
    }
}
