namespace Solidarity.Core.Disputes;

/// <summary>A branch owed part of a dispute's money, by its share of donations given "across all".</summary>
public sealed class BeneficiaryBranch
{
    /// <summary>Shares are in basis points (hundredths of a percent): all of a dispute's add up to 10,000.</summary>
    public const int WholeShare = 10_000;

    public Guid DisputeId { get; set; }
    public Guid BranchId { get; set; }
    public Branch Branch { get; set; } = default!;
    public int ShareBasisPoints { get; set; }
}
