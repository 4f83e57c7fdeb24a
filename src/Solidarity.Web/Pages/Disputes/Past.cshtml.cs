using Microsoft.AspNetCore.OutputCaching;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Disputes;

[OutputCache(PolicyName = PublicPageCaching.PolicyName)]
[CachedQuery("page")]
internal sealed class PastModel(SolidarityDbContext db, DisputeTotalsQuery totals, TimeProvider time)
    : DisputeCardsPageModel(db, totals, time, DisputeStatuses.Past);
