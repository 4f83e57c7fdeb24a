namespace Solidarity.Core.Disputes;

public sealed class Dispute
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>The public address of the dispute: /disputes/{slug}.</summary>
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public required string Employer { get; set; }
    public Guid UnionId { get; set; }
    public Union Union { get; set; } = default!;

    /// <summary>One or two sentences for cards and link previews.</summary>
    public required string Summary { get; set; }

    /// <summary>Why the workers are out, in plain paragraphs separated by blank lines.</summary>
    public required string Body { get; set; }
    public DisputeStatus Status { get; set; }
    public int? WorkersInvolved { get; set; }

    /// <summary>Fundraising target in pence; null where the dispute has none.</summary>
    public long? TargetPence { get; set; }

    /// <summary>Who cheques are made payable to.</summary>
    public string? ChequePayee { get; set; }

    /// <summary>How to give offline: bank transfer details, collections, anything beyond the cheque address.</summary>
    public string? OfflineGivingNotes { get; set; }

    /// <summary>Only published disputes are shown to the public.</summary>
    public bool IsPublished { get; set; }

    /// <summary>Shown on the page when the dispute's facts are illustrative (the demo).</summary>
    public string? Disclaimer { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<Workplace> Workplaces { get; set; } = [];
    public List<BeneficiaryBranch> Beneficiaries { get; set; } = [];
    public List<DisputeAction> Actions { get; set; } = [];
    public List<DisputeUpdate> Updates { get; set; } = [];

    public uint Version { get; set; }
}
