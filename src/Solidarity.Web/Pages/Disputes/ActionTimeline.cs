using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Disputes;

internal sealed record ActionView(ActionKind Kind, string Title, string? Details, DateTimeOffset StartsAt, DateTimeOffset EndsAt);

internal enum ActionPhase
{
    Past,
    Now,
    Upcoming,
}

/// <summary>Where a dispute's actions stand at a given instant, in the words a supporter reads on a card.</summary>
internal static class ActionTimeline
{
    public static ActionPhase PhaseAt(this ActionView action, DateTimeOffset now) =>
        now >= action.EndsAt ? ActionPhase.Past : now >= action.StartsAt ? ActionPhase.Now : ActionPhase.Upcoming;

    public static string Label(this ActionPhase phase) => phase switch
    {
        ActionPhase.Past => "Past",
        ActionPhase.Now => "Happening now",
        _ => "Upcoming",
    };

    /// <summary>"On strike until 05:59 Wed 31 May", "Next: strike from 06:00 Mon 3 Jun", or null when nothing is called.</summary>
    public static string? NowOrNext(IEnumerable<ActionView> actions, DateTimeOffset now)
    {
        var ordered = actions.OrderBy(a => a.StartsAt).ToList();
        var current = ordered.Where(a => a.PhaseAt(now) == ActionPhase.Now).OrderByDescending(a => a.EndsAt).FirstOrDefault();
        if (current is not null)
        {
            return $"{Ongoing(current)} until {LondonClock.ShortDateTime(current.EndsAt)}";
        }

        var next = ordered.FirstOrDefault(a => a.PhaseAt(now) == ActionPhase.Upcoming);
        return next is null ? null : $"Next: {Upcoming(next)} from {LondonClock.ShortDateTime(next.StartsAt)}";
    }

    /// <summary>What the card says when no action is under way or called.</summary>
    public static string Quiet(DisputeStatus status) => status switch
    {
        DisputeStatus.Balloting => "Ballot under way: no action called yet",
        DisputeStatus.Suspended => "Action suspended while talks go on",
        DisputeStatus.TakingAction => "No action dates announced",
        _ => status.Label(),
    };

    private static string Ongoing(ActionView action) => action.Kind switch
    {
        ActionKind.Strike => "On strike",
        ActionKind.OvertimeBan => "Overtime ban",
        ActionKind.WorkToRule => "Working to rule",
        _ => action.Title,
    };

    private static string Upcoming(ActionView action) => action.Kind switch
    {
        ActionKind.Strike => "strike",
        ActionKind.OvertimeBan => "overtime ban",
        ActionKind.WorkToRule => "work to rule",
        _ => action.Title,
    };
}
