using Solidarity.Web.Infrastructure.Pdf;

namespace Solidarity.Tests.Pdf;

/// <summary>The implicit rules of the Unicode bidirectional algorithm, on the text documents print.</summary>
public sealed class BidiTests
{
    [Theory]
    [InlineData("Jo Bloggs", 0)]
    [InlineData("محمد عبد الله", 1)]
    [InlineData("123 דוד", 1)]
    [InlineData("(Jo) דוד", 0)]
    public void A_paragraph_takes_the_direction_of_its_first_strong_character(string text, int level) =>
        Assert.Equal(level, Bidi.ParagraphLevel(text));

    [Fact]
    public void Numbers_in_right_to_left_text_keep_their_own_order()
    {
        const string Text = "דוד 2017";

        var levels = Bidi.Levels(Text, Bidi.ParagraphLevel(Text));

        Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2], levels.Select(l => (int)l));
    }

    [Fact]
    public void Neutrals_between_two_right_to_left_words_go_with_them_and_a_trailing_space_with_the_paragraph()
    {
        const string Text = "To دوم, דוד ";

        var levels = Bidi.Levels(Text, 0);

        Assert.Equal([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0], levels.Select(l => (int)l));
    }

    [Fact]
    public void A_line_reverses_its_right_to_left_pieces_and_keeps_numbers_inside_them_left_to_right()
    {
        // "abc" (0), "דוד " (1), "2017" (2), " כהן" (1), " xyz" (0): the middle three turn round, the number turns back.
        var order = Bidi.VisualOrder([0, 1, 2, 1, 0]);

        Assert.Equal([0, 3, 2, 1, 4], order);
    }
}
