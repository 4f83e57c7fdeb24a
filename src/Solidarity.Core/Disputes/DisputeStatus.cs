namespace Solidarity.Core.Disputes;

public enum DisputeStatus
{
    Balloting,
    TakingAction,
    Suspended,
    Won,
    Settled,
    Lost,
}

public static class DisputeStatuses
{
    public static readonly DisputeStatus[] Active = [DisputeStatus.Balloting, DisputeStatus.TakingAction, DisputeStatus.Suspended];
    public static readonly DisputeStatus[] Past = [DisputeStatus.Won, DisputeStatus.Settled, DisputeStatus.Lost];

    public static bool IsActive(this DisputeStatus status) => Active.Contains(status);

    public static string Label(this DisputeStatus status) => status switch
    {
        DisputeStatus.Balloting => "Balloting",
        DisputeStatus.TakingAction => "Taking action",
        DisputeStatus.Suspended => "Action suspended",
        DisputeStatus.Won => "Won",
        DisputeStatus.Settled => "Settled",
        DisputeStatus.Lost => "Lost",
        _ => status.ToString(),
    };
}
