using Microsoft.Extensions.Options;
using Solidarity.Web.Infrastructure.Stripe;
using Solidarity.Web.Pages.Donations;

namespace Solidarity.Tests.Donations;

/// <summary>Covering the fee: Stripe takes its fee from the whole charge, so the cover is grossed up on the charge.</summary>
public sealed class FeeEstimatorTests
{
    private static FeeEstimator Fees(int basisPoints = 150, long fixedPence = 20) =>
        new(Options.Create(new StripeSettings { FeeEstimateBasisPoints = basisPoints, FeeEstimateFixedPence = fixedPence }));

    [Fact]
    public void Covering_the_fee_on_a_ten_pound_gift_charges_ten_pounds_thirty_six()
    {
        var fees = Fees();

        // 1.5% of £10.36 is 15.54p, rounded up to 16p, plus 20p: 36p, which leaves exactly £10.00.
        Assert.Equal(1_036, fees.ChargeFor(1_000));
        Assert.Equal(36, fees.CoverFor(1_000));
        Assert.Equal(36, fees.EstimateOn(1_036));
    }

    [Theory]
    [InlineData(100, 122)]
    [InlineData(1_250, 1_290)]
    [InlineData(2_500, 2_559)]
    [InlineData(1_000_000, 1_015_249)]
    public void Charge_is_grossed_up_on_the_whole_charge(long giftPence, long chargedPence)
    {
        Assert.Equal(chargedPence, Fees().ChargeFor(giftPence));
    }

    [Theory]
    [InlineData(150, 20)]
    [InlineData(140, 20)]
    [InlineData(250, 20)]
    [InlineData(325, 30)]
    [InlineData(199, 0)]
    [InlineData(0, 20)]
    public void Charge_leaves_the_whole_gift_after_the_estimated_fee_and_a_penny_less_would_not(int basisPoints, long fixedPence)
    {
        var fees = Fees(basisPoints, fixedPence);
        var random = new Random(20_170_526);
        var gifts = Enumerable.Range(1, 20_000).Select(p => (long)p)
            .Concat(Enumerable.Range(0, 20_000).Select(_ => random.NextInt64(20_000, 1_000_001)));

        foreach (var gift in gifts)
        {
            var charged = fees.ChargeFor(gift);
            Assert.True(charged - fees.EstimateOn(charged) >= gift, $"A charge of {charged}p leaves less than the {gift}p gift.");
            Assert.True(charged - 1 - fees.EstimateOn(charged - 1) < gift, $"A charge of {charged - 1}p would already leave the {gift}p gift.");
            Assert.Equal(charged - gift, fees.CoverFor(gift));
        }
    }
}
