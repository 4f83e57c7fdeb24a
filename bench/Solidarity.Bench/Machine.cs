namespace Solidarity.Bench;

/// <summary>What else the machine is doing: figures taken while other work ran are not comparable with quiet ones.</summary>
internal static class Machine
{
    /// <summary>"load average 0.12 0.30 0.25 (1, 5, 15 min)" from /proc/loadavg, or nothing where there is none.</summary>
    public static string Load() =>
        File.Exists("/proc/loadavg")
            ? $"load average {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3])} (1, 5, 15 min)"
            : "load average unknown";
}
