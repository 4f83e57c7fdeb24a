using Solidarity.Web.Infrastructure.Forms;

namespace Solidarity.Tests.Infrastructure;

/// <summary>Every form that takes pounds reads them, and words what is wrong with them, the same way.</summary>
public sealed class TypedPoundsTests
{
    [Theory]
    [InlineData("25", 2_500)]
    [InlineData("25.5", 2_550)]
    [InlineData("12.50", 1_250)]
    [InlineData("0.01", 1)]
    [InlineData(" £1,000.00 ", 100_000)]
    [InlineData("£ 7", 700)]
    [InlineData("25,000", 2_500_000)]
    [InlineData("1,234,567.89", 123_456_789)]
    public void Pounds_as_people_type_them_are_read_into_pence(string typed, long pence) =>
        Assert.Equal(new PoundsReading(pence, null), TypedPounds.Read(typed));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ten pounds")]
    [InlineData("1e5")]
    [InlineData("12 50")]
    [InlineData("12.")]
    [InlineData("1.2.3")]
    [InlineData("-")]
    [InlineData("--5")]
    [InlineData("12.3x5")]
    [InlineData("1234567890123456")]
    public void What_is_blank_or_not_a_number_asks_for_pounds(string? typed) =>
        Assert.Equal(PoundsReading.Refused("Enter the amount in pounds, like 12.50."), TypedPounds.Read(typed));

    [Theory]
    [InlineData("12,50")]
    [InlineData("25,5")]
    [InlineData("£1.000,50")]
    public void Pence_after_a_comma_are_refused_with_a_word_on_the_point_never_read_as_thousands(string typed) =>
        Assert.Equal(PoundsReading.Refused("Write the amount with a point before the pence, like 12.50."), TypedPounds.Read(typed));

    [Theory]
    [InlineData("1,00,000")]
    [InlineData("1,0000")]
    [InlineData(",500")]
    [InlineData("1,000,")]
    [InlineData("1,,000")]
    [InlineData("1000,000")]
    public void Commas_that_do_not_separate_thousands_are_refused(string typed) =>
        Assert.Equal(PoundsReading.Refused("Enter the amount in pounds, like 12.50."), TypedPounds.Read(typed));

    [Theory]
    [InlineData("10.005")]
    [InlineData("£1,000.999")]
    [InlineData("0.001")]
    public void Digits_past_the_pence_are_called_fractions_of_a_penny(string typed) =>
        Assert.Equal(
            PoundsReading.Refused("The amount cannot include fractions of a penny: use at most two digits after the point."),
            TypedPounds.Read(typed));

    [Theory]
    [InlineData("0")]
    [InlineData("0.00")]
    [InlineData("-5")]
    [InlineData("-£5")]
    public void Nothing_or_less_must_be_more_than_nothing(string typed) =>
        Assert.Equal(PoundsReading.Refused("The amount must be more than £0."), TypedPounds.Read(typed));

    [Theory]
    [InlineData("0.99")]
    [InlineData("-5")]
    public void A_minimum_is_named_in_pounds(string typed) =>
        Assert.Equal(PoundsReading.Refused("The amount must be at least £1."), TypedPounds.Read(typed, minimumPence: 100));

    [Fact]
    public void The_minimum_itself_is_taken() =>
        Assert.Equal(new PoundsReading(100, null), TypedPounds.Read("1", minimumPence: 100));

    [Fact]
    public void A_maximum_is_named_in_pounds_and_the_maximum_itself_is_taken()
    {
        Assert.Equal(
            PoundsReading.Refused("The amount cannot be more than £10,000."), TypedPounds.Read("10000.01", maximumPence: 1_000_000));
        Assert.Equal(new PoundsReading(1_000_000, null), TypedPounds.Read("10,000", maximumPence: 1_000_000));
    }

    [Fact]
    public void Without_a_maximum_any_amount_that_fits_is_taken() =>
        Assert.Equal(new PoundsReading(99_999_999_999_900, null), TypedPounds.Read("999999999999"));

    [Fact]
    public void The_field_is_named_in_every_message()
    {
        Assert.Equal("Enter the target in pounds, like 12.50.", TypedPounds.Read("lots", "target").Problem);
        Assert.Equal("The target must be more than £0.", TypedPounds.Read("0", "target").Problem);
        Assert.Equal("The target cannot be more than £100.", TypedPounds.Read("100.01", "target", maximumPence: 10_000).Problem);
        Assert.StartsWith("The target cannot include fractions of a penny", TypedPounds.Read("1.001", "target").Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_carries_no_pence() => Assert.Equal(0, TypedPounds.Read("20000", maximumPence: 1_000_000).Pence);
}
