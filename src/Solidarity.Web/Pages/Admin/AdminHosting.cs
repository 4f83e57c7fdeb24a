namespace Solidarity.Web.Pages.Admin;

internal static class AdminHosting
{
    /// <summary>The audit log every admin, moderator and command writes to.</summary>
    public static void AddAuditTrail(this WebApplicationBuilder builder) => builder.Services.AddScoped<AuditTrail>();
}
