namespace Solidarity.Web.Pages.Disputes;

/// <summary>One page of a list, numbered from 1.</summary>
internal sealed record Paging(int Number, int Size, int TotalItems)
{
    public int TotalPages => Math.Max(1, (TotalItems + Size - 1) / Size);

    public bool HasPrevious => Number > 1;

    public bool HasNext => Number < TotalPages;

    public bool Exists => Number <= TotalPages;

    public int Skip => (Number - 1) * Size;
}

/// <summary>A list's paging and the address its pages live at, for the pager links.</summary>
internal sealed record Pager(Paging Paging, string Path);

/// <summary>
/// Where the next page of a newest-first list starts: the time and id of the last item shown, as "Older" links carry
/// it. The next page is an index seek past that point, so the thousandth page costs what the first does, and an item
/// added meanwhile does not push the last one shown onto the next page as it would with page numbers.
/// </summary>
internal readonly record struct PageCursor(DateTimeOffset At, Guid Id)
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1_000;

    /// <summary>"1747652400123456_0190a0a0…": microseconds since 1970 (PostgreSQL keeps no finer time) and the id.</summary>
    public override string ToString() =>
        $"{(At.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond}_{Id:N}";

    public static bool TryParse(string? text, out PageCursor cursor)
    {
        cursor = default;
        var parts = (text ?? "").Split('_');
        if (parts.Length != 2
            || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var microseconds)
            || microseconds > (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond
            || !Guid.TryParseExact(parts[1], "N", out var id))
        {
            return false;
        }

        cursor = new PageCursor(DateTimeOffset.UnixEpoch.AddTicks(microseconds * TicksPerMicrosecond), id);
        return true;
    }
}

/// <summary>One page of a newest-first list and the cursor of the page after it, if there is one.</summary>
internal sealed record KeysetPage<T>(IReadOnlyList<T> Items, PageCursor? Older, bool IsNewest);

internal static class KeysetPage
{
    /// <summary>
    /// A page from rows fetched with one more than <paramref name="size"/>: the extra row only says an older page
    /// exists, so no separate count is needed.
    /// </summary>
    public static KeysetPage<T> From<T>(IReadOnlyList<T> fetched, int size, Func<T, PageCursor> cursorOf, bool isNewest)
    {
        var items = fetched.Take(size).ToList();
        return new KeysetPage<T>(items, fetched.Count > size ? cursorOf(items[^1]) : null, isNewest);
    }
}
