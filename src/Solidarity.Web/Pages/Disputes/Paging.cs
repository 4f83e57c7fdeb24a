namespace Solidarity.Web.Pages.Disputes;

/// <summary>One page of a list, numbered from 1.</summary>
public sealed record Paging(int Number, int Size, int TotalItems)
{
    public int TotalPages => Math.Max(1, (TotalItems + Size - 1) / Size);

    public bool HasPrevious => Number > 1;

    public bool HasNext => Number < TotalPages;

    public bool Exists => Number <= TotalPages;

    public int Skip => (Number - 1) * Size;
}

/// <summary>A list's paging and the address its pages live at, for the pager links.</summary>
public sealed record Pager(Paging Paging, string Path);
