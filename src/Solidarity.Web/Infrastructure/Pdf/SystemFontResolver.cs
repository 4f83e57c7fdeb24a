using PdfSharp.Fonts;

namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>
/// PDFsharp on Linux has no fonts of its own: this resolver reads the operating system's TrueType files.
/// Every family name maps to one sans-serif family found on disk (DejaVu Sans, else Liberation Sans),
/// so documents look the same whatever family a layout asks for.
/// </summary>
internal sealed class SystemFontResolver : IFontResolver
{
    public const string DefaultFamily = "Sans";

    public static readonly IReadOnlyList<string> DefaultDirectories = ["/usr/share/fonts", "/usr/local/share/fonts"];

    private static readonly FontFamilyFiles[] Candidates =
    [
        new("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
        new("Liberation Sans", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "fonts-liberation2"),
    ];

    private static readonly Lock InstallLock = new();
    private static SystemFontResolver? _installed;

    private readonly Dictionary<string, byte[]> _faces;

    private SystemFontResolver(string familyName, Dictionary<string, byte[]> faces)
    {
        FamilyName = familyName;
        _faces = faces;
    }

    /// <summary>The family found on disk, e.g. "DejaVu Sans".</summary>
    public string FamilyName { get; }

    /// <summary>
    /// Finds the fonts and makes them PDFsharp's for this process. PDFsharp accepts one resolver per process,
    /// so later calls keep the first one.
    /// </summary>
    public static SystemFontResolver Install(IEnumerable<string> directories)
    {
        lock (InstallLock)
        {
            if (_installed is null)
            {
                _installed = Find(directories);
                GlobalFontSettings.FontResolver = _installed;
            }

            return _installed;
        }
    }

    /// <summary>Reads the first family of <see cref="Candidates"/> present in <paramref name="directories"/>, or says which package to install.</summary>
    public static SystemFontResolver Find(IEnumerable<string> directories)
    {
        var searched = directories.Where(Directory.Exists).ToList();
        var files = searched
            .SelectMany(d => Directory.EnumerateFiles(d, "*.ttf", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
            .GroupBy(Path.GetFileName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key!, g => g.First(), StringComparer.Ordinal);

        foreach (var candidate in Candidates)
        {
            if (files.TryGetValue(candidate.RegularFile, out var regular) && files.TryGetValue(candidate.BoldFile, out var bold))
            {
                return new SystemFontResolver(candidate.Family, new Dictionary<string, byte[]>(StringComparer.Ordinal)
                {
                    [Face(bold: false)] = File.ReadAllBytes(regular),
                    [Face(bold: true)] = File.ReadAllBytes(bold),
                });
            }
        }

        throw new MissingFontsException(
            "PDF receipts need a TrueType font and none was found in " +
            $"{string.Join(", ", directories.DefaultIfEmpty("(no directory)"))}. Install one of Debian's packages " +
            $"{string.Join(" or ", Candidates.Select(c => c.DebianPackage))} (apt-get install {Candidates[0].DebianPackage}), " +
            "or set Pdf:FontDirectories to a folder holding " +
            string.Join(" or ", Candidates.Select(c => c.RegularFile)) + ".");
    }

    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(Face(bold), mustSimulateBold: false, mustSimulateItalic: italic);

    public byte[] GetFont(string faceName) => _faces[faceName];

    /// <summary>The regular or bold face's TrueType file, for drawing outside PDFs (charts, share cards).</summary>
    public byte[] FaceFile(bool bold) => _faces[Face(bold)];

    private static string Face(bool bold) => bold ? "sans-bold" : "sans-regular";

    private sealed record FontFamilyFiles(string Family, string RegularFile, string BoldFile, string DebianPackage);
}

internal sealed class MissingFontsException(string message) : Exception(message);
