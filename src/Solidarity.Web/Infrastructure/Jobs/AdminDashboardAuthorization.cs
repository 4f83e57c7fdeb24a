using Hangfire.Dashboard;

namespace Solidarity.Web.Infrastructure.Jobs;

/// <summary>
/// The dashboard runs jobs and shows their arguments: it answers only to the Admin policy. The endpoint
/// already requires that policy (so strangers are sent to sign in); this check stands behind it.
/// </summary>
internal sealed class AdminDashboardAuthorization : IDashboardAsyncAuthorizationFilter
{
    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(http.User, AccountsHosting.AdminPolicy)).Succeeded;
    }
}
