namespace Solidarity.Core.Disputes;

/// <summary>A union branch: the body that receives the money and the letters for its members.</summary>
public sealed class Branch
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>The union's own branch code, e.g. WM7680.</summary>
    public required string Code { get; set; }
    public required string Name { get; set; }
    public Guid UnionId { get; set; }
    public Union Union { get; set; } = default!;

    /// <summary>Where cheques and letters go, one line per line of the address.</summary>
    public required string PostalAddress { get; set; }
    public required string ContactName { get; set; }
    public string? ContactEmail { get; set; }

    /// <summary>
    /// Whether the public books show this branch's money only as of its last weekly statement, never live: a live
    /// "held now" tells an employer how long a hardship fund can last.
    /// </summary>
    public bool BooksAsOfStatement { get; set; }

    /// <summary>The row's version (PostgreSQL's <c>xmin</c>): an edit saves only over the version it was made from.</summary>
    public uint Version { get; set; }
}
