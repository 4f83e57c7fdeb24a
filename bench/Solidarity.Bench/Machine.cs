using System.Diagnostics;
using System.Globalization;

namespace Solidarity.Bench;

/// <summary>What else the machine is doing: figures taken while other work ran are not comparable with quiet ones.</summary>
internal static class Machine
{
    /// <summary>Linux's clock ticks per second for the times in /proc/[pid]/stat (USER_HZ, 100 on every mainstream build).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>"load average 0.12 0.30 0.25 (1, 5, 15 min)" from /proc/loadavg, or nothing where there is none.</summary>
    public static string Load() =>
        File.Exists("/proc/loadavg")
            ? $"load average {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3])} (1, 5, 15 min)"
            : "load average unknown";

    /// <summary>The CPU time this process has used: the site and the benchmark's own senders, which share it.</summary>
    public static TimeSpan OwnCpu() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>The pid of the PostgreSQL server (its postmaster) that a backend belongs to; 0 where /proc cannot tell.</summary>
    public static int PostgresServerPid(int backendPid) => TryStat(backendPid)?.ParentPid ?? 0;

    /// <summary>
    /// The CPU time a PostgreSQL server has used: its postmaster's own, that of the backends it has already reaped (its
    /// children's times), and that of every backend still running. Zero where /proc cannot tell (not Linux, or a server
    /// on another machine or in a container).
    /// </summary>
    public static TimeSpan PostgresCpu(int serverPid)
    {
        if (serverPid == 0 || TryStat(serverPid) is not { } server)
        {
            return TimeSpan.Zero;
        }

        var ticks = server.AllTicks;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && pid != serverPid && TryStat(pid) is { } stat && stat.ParentPid == serverPid)
            {
                ticks += stat.AllTicks;
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    private sealed record ProcessTimes(int ParentPid, long AllTicks);

    private static ProcessTimes? TryStat(int pid)
    {
        try
        {
            return Stat(pid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // gone meanwhile, or not ours to read
        }
    }

    /// <summary>/proc/[pid]/stat: the parent's pid and utime + stime + cutime + cstime, in clock ticks.</summary>
    private static ProcessTimes Stat(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");

        // The command name, in parentheses, may hold spaces: the fields are counted from after its closing parenthesis.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return new ProcessTimes((int)Field(4), Field(14) + Field(15) + Field(16) + Field(17));
    }
}
