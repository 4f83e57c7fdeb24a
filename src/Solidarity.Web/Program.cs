using Solidarity.Web.Infrastructure.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (!await builder.AddSolidarityDatabaseAsync())
{
    return 1;
}

builder.AddSolidarityServices();

var app = builder.Build();
app.UseSolidarity();

return await app.RunSolidarityAsync(args);

/// <summary>The site's entry point, public so that tests can host it.</summary>
public partial class Program;
