using SkiaSharp;
using Solidarity.Core.Disputes;
using Solidarity.Web.Infrastructure.Graphics;

namespace Solidarity.Web.Pages.Disputes;

/// <summary>What a shared link's preview shows: the dispute, where its fund stands, and whose site it is.</summary>
internal sealed record ShareCardFacts(string Title, DisputeStatus Status, Progress Progress, string SiteName);

/// <summary>
/// The picture social networks show for a shared dispute (Open Graph and X's large summary card): 1200 × 630, drawn
/// with SkiaSharp in flat colours so the PNG stays small (well under 150 KB), with the same fonts as the PDFs.
/// </summary>
internal sealed class ShareCard(DrawingFonts fonts)
{
    public const int Width = 1200;
    public const int Height = 630;
    public const string ContentType = "image/png";

    private const float Margin = 72;

    private static readonly SKColor Background = SKColor.Parse("#1f2933");
    private static readonly SKColor Ink = SKColors.White;
    private static readonly SKColor Muted = SKColor.Parse("#cbd2d9");
    private static readonly SKColor Accent = SKColor.Parse("#e8544b");
    private static readonly SKColor Track = SKColor.Parse("#3e4c59");

    public byte[] Render(ShareCardFacts facts)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(Background);
        using var paint = new SKPaint { IsAntialias = true };

        // The accent band and the site's name: whose page the link opens.
        paint.Color = Accent;
        canvas.DrawRect(0, 0, 16, Height, paint);
        using var siteFont = new SKFont(fonts.Bold, 30);
        paint.Color = Muted;
        canvas.DrawText(facts.SiteName, Margin, 92, SKTextAlign.Left, siteFont, paint);

        using var statusFont = new SKFont(fonts.Bold, 28);
        var status = facts.Status.Label().ToUpperInvariant();
        var statusWidth = statusFont.MeasureText(status);
        paint.Color = Accent;
        canvas.DrawRoundRect(Width - Margin - statusWidth - 36, 54, statusWidth + 36, 52, 10, 10, paint);
        paint.Color = Ink;
        canvas.DrawText(status, Width - Margin - 18, 90, SKTextAlign.Right, statusFont, paint);

        // The title, in up to three lines, smaller when it is long.
        var titleSize = facts.Title.Length > 60 ? 56f : 68f;
        using var titleFont = new SKFont(fonts.Bold, titleSize);
        var y = 150 + titleSize;
        foreach (var line in Wrap(facts.Title, titleFont, Width - (2 * Margin), maxLines: 3))
        {
            canvas.DrawText(line, Margin, y, SKTextAlign.Left, titleFont, paint);
            y += titleSize * 1.15f;
        }

        // Raised against the target, as a bar, and the supporters.
        var progress = facts.Progress;
        using var figureFont = new SKFont(fonts.Bold, 48);
        using var textFont = new SKFont(fonts.Regular, 34);
        const float barTop = 470;
        var raised = progress.Target is string target ? $"{progress.Raised} raised of {target}" : $"{progress.Raised} raised";
        paint.Color = Ink;
        canvas.DrawText(raised, Margin, barTop - 24, SKTextAlign.Left, figureFont, paint);
        if (progress.TargetPence is > 0)
        {
            var barWidth = Width - (2 * Margin);
            paint.Color = Track;
            canvas.DrawRoundRect(Margin, barTop, barWidth, 36, 18, 18, paint);
            var filled = barWidth * Math.Clamp(progress.Percent, 0, 100) / 100f;
            if (filled > 0)
            {
                paint.Color = Accent;
                canvas.DrawRoundRect(Margin, barTop, Math.Max(filled, 36), 36, 18, 18, paint);
            }
        }

        paint.Color = Muted;
        var supporters = progress.TargetPence is > 0 ? $"{progress.SupportersText} · {progress.PercentOfTarget:N0}% of the target" : progress.SupportersText;
        canvas.DrawText(supporters, Margin, 572, SKTextAlign.Left, textFont, paint);

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Breaks text at spaces to fit <paramref name="width"/>; the last line ends in an ellipsis if text is left over.</summary>
    private static List<string> Wrap(string text, SKFont font, float width, int maxLines)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = current.Length == 0 ? word : $"{current} {word}";
            if (font.MeasureText(candidate) <= width || current.Length == 0)
            {
                current = candidate;
                continue;
            }

            lines.Add(current);
            current = word;
        }

        if (current.Length > 0)
        {
            lines.Add(current);
        }

        if (lines.Count <= maxLines)
        {
            return lines;
        }

        var kept = lines.Take(maxLines).ToList();
        var last = kept[^1];
        while (last.Length > 0 && font.MeasureText(last + "…") > width)
        {
            last = last[..^1];
        }

        kept[^1] = last.TrimEnd() + "…";
        return kept;
    }
}

/// <summary>The share card's facts: two commands (the dispute, its totals from the running-total rows).</summary>
internal sealed class ShareCardQuery(SolidarityDbContext db, DisputeTotalsQuery totals, IConfiguration configuration)
{
    public async Task<(Guid DisputeId, ShareCardFacts Facts)?> ForAsync(string slug, CancellationToken cancellationToken)
    {
        var dispute = await db.Disputes.AsNoTracking()
            .Where(d => d.Slug == slug && d.IsPublished)
            .Select(d => new { d.Id, d.Title, d.Status, d.TargetPence })
            .SingleOrDefaultAsync(cancellationToken);
        if (dispute is null)
        {
            return null;
        }

        var progress = Progress.Of(await totals.ForDisputeAsync(dispute.Id, cancellationToken), dispute.TargetPence);
        var siteName = Organisation.NameIn(configuration);
        return (dispute.Id, new ShareCardFacts(dispute.Title, dispute.Status, progress, siteName));
    }
}
