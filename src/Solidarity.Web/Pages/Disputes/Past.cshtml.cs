using Solidarity.Core.Data;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Disputes;

internal sealed class PastModel(SolidarityDbContext db, DisputeTotalsQuery totals, TimeProvider time)
    : DisputeCardsPageModel(db, totals, time, DisputeStatuses.Past);
