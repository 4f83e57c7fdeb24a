using Microsoft.AspNetCore.OutputCaching;
using Solidarity.Core.Data;
using Solidarity.Core.Disputes;
using Solidarity.Web.Infrastructure.Hosting;

namespace Solidarity.Web.Pages.Disputes;

[OutputCache(PolicyName = PublicPageCaching.PolicyName)]
internal sealed class PastModel(SolidarityDbContext db, DisputeTotalsQuery totals, TimeProvider time)
    : DisputeCardsPageModel(db, totals, time, DisputeStatuses.Past);
