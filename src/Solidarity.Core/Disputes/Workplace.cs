namespace Solidarity.Core.Disputes;

public sealed class Workplace
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DisputeId { get; set; }
    public required string Name { get; set; }
    public required string Town { get; set; }

    /// <summary>The branch that organises this workplace, where it is one of the dispute's beneficiaries.</summary>
    public Guid? BranchId { get; set; }
    public Branch? Branch { get; set; }
}
