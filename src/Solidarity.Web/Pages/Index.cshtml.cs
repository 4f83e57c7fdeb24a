using Solidarity.Core.Data;
using Solidarity.Core.Disputes;
using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Web.Pages;

internal sealed class IndexModel(SolidarityDbContext db, DisputeTotalsQuery totals, TimeProvider time)
    : DisputeCardsPageModel(db, totals, time, DisputeStatuses.Active);
