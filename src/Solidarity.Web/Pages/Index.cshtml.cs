using Microsoft.AspNetCore.OutputCaching;
using Solidarity.Core.Disputes;
using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Web.Pages;

[OutputCache(PolicyName = PublicPageCaching.PolicyName)]
[CachedQuery("page")]
internal sealed class IndexModel(SolidarityDbContext db, DisputeTotalsQuery totals, TimeProvider time)
    : DisputeCardsPageModel(db, totals, time, DisputeStatuses.Active);
