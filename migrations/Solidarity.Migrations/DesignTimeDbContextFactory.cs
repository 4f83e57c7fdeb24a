using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore.Design;
using Solidarity.Core.Data;

namespace Solidarity.Migrations;

/// <summary>Lets `dotnet ef` build the model without starting the site; generating a migration needs no server.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<SolidarityDbContext>
{
    public SolidarityDbContext CreateDbContext(string[] args)
    {
        // Identity takes its schema version (passkeys or not) from the options the site sets.
        var services = new ServiceCollection()
            .Configure<IdentityOptions>(identity => identity.Stores.SchemaVersion = SolidarityDbContext.IdentitySchema)
            .BuildServiceProvider();
        var options = new DbContextOptionsBuilder<SolidarityDbContext>()
            .UseApplicationServiceProvider(services)
            .UseNpgsql("Host=127.0.0.1;Database=solidarity_design", npgsql => npgsql.MigrationsAssembly(SolidarityDbContext.MigrationsAssembly))
            .Options;
        return new SolidarityDbContext(options);
    }
}
