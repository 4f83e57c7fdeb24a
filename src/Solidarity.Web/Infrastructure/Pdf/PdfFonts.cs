using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>
/// The faces every PDF of the site prints with, in the order a character looks for a glyph: a Latin, Greek and
/// Cyrillic face first, then Arabic, Hebrew, Devanagari, Chinese and Japanese, and Korean faces, then DejaVu Sans for symbols the others
/// lack. Each has a regular and a bold face (a family with no bold uses its regular one). Only the first is
/// required; the site logs at start-up which it found and which scripts it can print.
/// </summary>
internal sealed class PdfFonts : IDisposable
{
    public static readonly IReadOnlyList<string> DefaultDirectories = ["/usr/share/fonts", "/usr/local/share/fonts"];

    /// <summary>The families looked for, first match first. The first group is the primary: one of it must be found.</summary>
    internal static readonly FamilyFiles[] Families =
    [
        new("Noto Sans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "fonts-noto-core", Primary: true),
        new("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "fonts-dejavu-core", Primary: true),
        new("Liberation Sans", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "fonts-liberation2", Primary: true),
        new("Noto Sans Arabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "fonts-noto-core"),
        new("Noto Sans Hebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf", "fonts-noto-core"),
        new("Noto Sans Devanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf", "fonts-noto-core"),
        new("Noto Sans Bengali", "NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf", "fonts-noto-core"),
        new("Noto Sans Gurmukhi", "NotoSansGurmukhi-Regular.ttf", "NotoSansGurmukhi-Bold.ttf", "fonts-noto-core"),
        new("Noto Sans Gujarati", "NotoSansGujarati-Regular.ttf", "NotoSansGujarati-Bold.ttf", "fonts-noto-core"),
        new("Noto Sans Tamil", "NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf", "fonts-noto-core"),
        new("Noto Sans Sinhala", "NotoSansSinhala-Regular.ttf", "NotoSansSinhala-Bold.ttf", "fonts-noto-core"),
        new("Noto Sans Thai", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf", "fonts-noto-core"),
        new("Noto Sans Ethiopic", "NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf", "fonts-noto-core"),
        new("Droid Sans Fallback", "DroidSansFallbackFull.ttf", null, "fonts-droid-fallback"),
        new("Nanum Gothic", "NanumGothic.ttf", "NanumGothicBold.ttf", "fonts-nanum"),
        new("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
    ];

    /// <summary>A character of each script the documents are expected to print, to tell which the faces cover.</summary>
    internal static readonly (string Script, int Sample)[] Scripts =
    [
        ("Latin", 'Ł'), ("Greek", 'Σ'), ("Cyrillic", 'Д'), ("Arabic", 'م'), ("Hebrew", 'ד'), ("Devanagari", 'अ'),
        ("Bengali", 'ক'), ("Gurmukhi", 'ਕ'), ("Gujarati", 'ક'), ("Tamil", 'க'), ("Sinhala", 'ක'), ("Thai", 'ก'), ("Ethiopic", 'አ'),
        ("Chinese", '王'), ("Japanese", 'た'), ("Korean", '김'),
    ];

    private static readonly Lock InstallLock = new();
    private static PdfFonts? _installed;

    private PdfFonts(IReadOnlyList<FontFamily> families, ILogger logger)
    {
        Regular = families.Select(f => f.Regular).ToArray();
        Bold = families.Select(f => f.Bold).ToArray();
        FamiliesFound = families;
        Logger = logger;
        Placeholder = FindPlaceholder(Regular);
    }

    /// <summary>The faces found, in fallback order.</summary>
    public IReadOnlyList<FontFamily> FamiliesFound { get; }

    public IReadOnlyList<FontFace> Regular { get; }

    public IReadOnlyList<FontFace> Bold { get; }

    /// <summary>What prints in place of a character no face has: U+FFFD, else a white square, else the primary face's .notdef box.</summary>
    public (FontFace Face, ushort Glyph, int CodePoint) Placeholder { get; }

    /// <summary>Where the documents say which characters they could not print.</summary>
    public ILogger Logger { get; private set; }

    /// <summary>Sends what the documents report to the site's log, once the site has one.</summary>
    public void UseLogger(ILogger logger) => Logger = logger;

    /// <summary>The faces installed at start-up, or (in tests and tools that start no site) those in the default folders.</summary>
    public static PdfFonts Current
    {
        get
        {
            lock (InstallLock)
            {
                return _installed ??= Find(DefaultDirectories, NullLogger.Instance);
            }
        }
    }

    /// <summary>Finds the faces and makes them the documents' for this process; later calls keep the first.</summary>
    public static PdfFonts Install(IEnumerable<string> directories, ILogger logger)
    {
        lock (InstallLock)
        {
            return _installed ??= Find(directories, logger);
        }
    }

    /// <summary>Reads the faces present in <paramref name="directories"/>, or says which package to install when no primary face is there.</summary>
    public static PdfFonts Find(IEnumerable<string> directories, ILogger logger)
    {
        var searched = directories.ToList();
        var files = searched.Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.ttf", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
            .GroupBy(Path.GetFileName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key!, g => g.Order(StringComparer.Ordinal).First(), StringComparer.Ordinal);

        var loaded = new Dictionary<string, FontFace>(StringComparer.Ordinal);
        FontFace? Load(string? file)
        {
            if (file is null || !files.TryGetValue(file, out var path))
            {
                return null;
            }

            if (!loaded.TryGetValue(file, out var face))
            {
                try
                {
                    face = FontFace.Load(path);
                }
                catch (Exception error) when (error is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentOutOfRangeException)
                {
                    logger.LogWarning("PDF fonts: {File} cannot be used: {Reason}", path, error.Message);
                    return null;
                }

                loaded[file] = face;
            }

            return face;
        }

        var families = new List<FontFamily>();
        foreach (var family in Families.Where(f => f.Primary))
        {
            if (Load(family.RegularFile) is { } regular)
            {
                families.Add(new FontFamily(family, regular, Load(family.BoldFile) ?? regular));
                break;
            }
        }

        if (families.Count == 0)
        {
            var primaries = Families.Where(f => f.Primary).ToList();
            throw new MissingFontsException(
                "PDF receipts and statements need a TrueType font and none was found in " +
                $"{string.Join(", ", searched.DefaultIfEmpty("(no directory)"))}. Install Debian's packages " +
                "fonts-noto-core, fonts-droid-fallback and fonts-nanum (apt-get install fonts-noto-core fonts-droid-fallback fonts-nanum; at the least one of " +
                $"{string.Join(", ", primaries.Select(c => c.DebianPackage).Distinct())}), " +
                "or set Pdf:FontDirectories to a folder holding " + string.Join(" or ", primaries.Select(c => c.RegularFile)) + ".");
        }

        foreach (var family in Families.Where(f => !f.Primary))
        {
            if (Load(family.RegularFile) is { } regular && !families.Any(f => ReferenceEquals(f.Regular, regular)))
            {
                families.Add(new FontFamily(family, regular, Load(family.BoldFile) ?? regular));
            }
        }

        return new PdfFonts(families, logger);
    }

    /// <summary>Which of <see cref="Scripts"/> the faces can print, and which not.</summary>
    public (IReadOnlyList<string> Printable, IReadOnlyList<string> Missing) Coverage()
    {
        var printable = Scripts.Where(s => Regular.Any(f => f.Has(s.Sample))).Select(s => s.Script).ToList();
        return (printable, Scripts.Select(s => s.Script).Except(printable).ToList());
    }

    /// <summary>One line for the start-up log: the faces found, the scripts printable, and what to install for the rest.</summary>
    public void LogFound()
    {
        var (printable, missing) = Coverage();
        var faces = string.Join("; ", FamiliesFound.Select(f =>
            ReferenceEquals(f.Regular, f.Bold) ? $"{f.Files.Family} ({f.Regular.Path})" : $"{f.Files.Family} ({f.Regular.Path}, {f.Bold.Path})"));
        if (missing.Count == 0)
        {
            Logger.LogInformation("PDF fonts: {Faces}. Documents can print {Scripts}.", faces, string.Join(", ", printable));
        }
        else
        {
            Logger.LogWarning(
                "PDF fonts: {Faces}. Documents can print {Scripts}, but not {Missing}, which print as {Placeholder} (install fonts-noto-core, fonts-droid-fallback and fonts-nanum).",
                faces, string.Join(", ", printable), string.Join(", ", missing), $"U+{Placeholder.CodePoint:X4}");
        }
    }

    public void Dispose()
    {
        foreach (var face in Regular.Concat(Bold).Distinct())
        {
            face.Dispose();
        }
    }

    private static (FontFace, ushort, int) FindPlaceholder(IReadOnlyList<FontFace> faces)
    {
        foreach (var codePoint in new[] { 0xFFFD, 0x25A1 })
        {
            foreach (var face in faces)
            {
                if (face.TryGetGlyph(codePoint, out var glyph))
                {
                    return (face, glyph, codePoint);
                }
            }
        }

        return (faces[0], 0, 0xFFFD);
    }

    internal sealed record FamilyFiles(string Family, string RegularFile, string? BoldFile, string DebianPackage, bool Primary = false);

    internal sealed record FontFamily(FamilyFiles Files, FontFace Regular, FontFace Bold);
}

internal sealed class MissingFontsException(string message) : Exception(message);
