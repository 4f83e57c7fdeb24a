namespace Solidarity.Web.Pages.Donations;

/// <summary>The processing fee a donor may choose to add on top of a gift, from Stripe:FeeEstimate* settings.</summary>
internal sealed class FeeEstimator(IOptions<StripeSettings> settings)
{
    private const long WholeInBasisPoints = 10_000;

    public int BasisPoints => settings.Value.FeeEstimateBasisPoints;

    public long FixedPence => settings.Value.FeeEstimateFixedPence;

    /// <summary>Stripe's estimated fee on a charge: the rate on the whole charge, rounded up to the penny, plus the fixed part.</summary>
    public long EstimateOn(long chargePence) => checked(((chargePence * BasisPoints) + WholeInBasisPoints - 1) / WholeInBasisPoints + FixedPence);

    /// <summary>
    /// What to charge a donor who covers the fee. Stripe takes its fee from the whole charge, cover included, so a
    /// cover worked out on the gift alone leaves the branches short. This is the least charge c with
    /// c − <see cref="EstimateOn"/>(c) ≥ gift: since c − ceil(c·rate) = floor(c·(1 − rate)), that is
    /// c·(1 − rate) ≥ gift + fixed, so c = ceil((gift + fixed) / (1 − rate)), worked in pence and basis points.
    /// </summary>
    public long ChargeFor(long giftPence)
    {
        var remainder = WholeInBasisPoints - BasisPoints;
        if (remainder <= 0)
        {
            throw new InvalidOperationException($"Stripe:FeeEstimateBasisPoints must be below {WholeInBasisPoints}.");
        }

        var numerator = checked((giftPence + FixedPence) * WholeInBasisPoints);
        return (numerator + remainder - 1) / remainder;
    }

    /// <summary>What covering the fee adds to the gift: the charge less the gift.</summary>
    public long CoverFor(long giftPence) => ChargeFor(giftPence) - giftPence;

    /// <summary>"1.5% + 20p".</summary>
    public string Describe() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{BasisPoints / 100m:0.##}% + {FixedPence}p");
}
