using Microsoft.AspNetCore.DataProtection;
using Solidarity.Core.Data;

namespace Solidarity.Web.Infrastructure.Hosting;

internal static class DataProtectionHosting
{
    /// <summary>
    /// Keys in the site's database under one fixed application name, so that every web and worker process, on any
    /// machine and after any restart, reads the cookies and form tokens the others wrote. By default ASP.NET Core
    /// keeps them in the home folder and names the application after its content path, and both differ by machine.
    /// </summary>
    public static void AddSolidarityDataProtection(this WebApplicationBuilder builder) =>
        builder.Services.AddDataProtection()
            .SetApplicationName("Solidarity")
            .PersistKeysToDbContext<SolidarityDbContext>();
}
