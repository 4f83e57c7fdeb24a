using Microsoft.Extensions.Options;
using Solidarity.Web.Infrastructure.Stripe;

namespace Solidarity.Web.Pages.Donations;

/// <summary>The processing fee a donor may choose to add on top of a gift, from Stripe:FeeEstimate* settings.</summary>
internal sealed class FeeEstimator(IOptions<StripeSettings> settings)
{
    public int BasisPoints => settings.Value.FeeEstimateBasisPoints;

    public long FixedPence => settings.Value.FeeEstimateFixedPence;

    /// <summary>Rounded up to the penny, so that covering the fee never leaves the branch a penny short of the estimate.</summary>
    public long EstimateFor(long amountPence) => checked(((amountPence * BasisPoints) + 9_999) / 10_000 + FixedPence);

    /// <summary>"1.5% + 20p".</summary>
    public string Describe() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{BasisPoints / 100m:0.##}% + {FixedPence}p");
}
