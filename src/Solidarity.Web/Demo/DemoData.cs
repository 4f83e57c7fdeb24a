using Solidarity.Core.Disputes;

namespace Solidarity.Web.Demo;

/// <summary>
/// The demo disputes and accounts. Safe to run on every start: it adds only what is missing, keyed by
/// union name, branch code, dispute slug, role name and email, and never changes what is there. The demo admin gets
/// in as every admin does, through an invitation: until someone has used one, each run makes a new one and reports
/// its link.
/// </summary>
internal sealed class DemoData(
    SolidarityDbContext db,
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole<Guid>> roles,
    Invitations invitations,
    DemoHistory history,
    TimeProvider time,
    IConfiguration configuration)
{
    public const string AdminEmail = "admin@solidarity.test";
    public const string OfficerEmail = "officer@solidarity.test";
    public const string OfficerPassword = "Branch-Officer-2017";
    public const string ArgosSlug = "argos-warehouse-strike";
    public const string ArgosBranchCode = "WM7680";

    /// <summary>Seeds in a scope of its own: for the start-up command and for tests.</summary>
    public static async Task<IReadOnlyList<string>> SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await ActivatorUtilities.CreateInstance<DemoData>(scope.ServiceProvider).SeedAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> SeedAsync(CancellationToken cancellationToken)
    {
        var report = new List<string>();
        var today = DateOnly.FromDateTime(LondonClock.ToLondon(time.GetUtcNow()).DateTime);

        var unite = await UnionAsync("Unite the Union", "https://www.unitetheunion.org", cancellationToken);
        var fictionalUnion = await UnionAsync("Public and Care Workers' Union (fictional)", null, cancellationToken);

        var wm7680 = await BranchAsync(unite, ArgosBranchCode, "Unite WM7680 Burton on Trent", "Pat Example, Branch Secretary", "c/o Unite WM7680\nPO Box 0000\nBurton upon Trent\nDE14 9ZZ", "wm7680@branch.example", cancellationToken);
        var em0001 = await BranchAsync(unite, "EM0001", "Unite EM0001 Lutterworth Logistics (fictional)", "Sam Sample, Branch Secretary", "c/o Unite EM0001\nPO Box 0001\nLutterworth\nLE17 9ZZ", null, cancellationToken);
        var brindlewick = await BranchAsync(fictionalUnion, "PC0101", "Brindlewick Council Workers (fictional)", "Alex Placeholder, Branch Secretary", "c/o PCWU PC0101\nPO Box 0101\nBrindlewick\nBW1 0ZZ", null, cancellationToken);
        var millbrook = await BranchAsync(fictionalUnion, "PC0202", "Millbrook Care (fictional)", "Jo Sample, Branch Secretary", "c/o PCWU PC0202\nPO Box 0202\nMillbrook\nMB2 0ZZ", null, cancellationToken);

        if (await DisputeAsync(Argos(unite, wm7680, em0001, today), cancellationToken))
        {
            report.Add("Demo dispute added: the Argos warehouse strike (2017), its calendar moved to the current fortnight.");
        }

        if (await DisputeAsync(RefuseBallot(fictionalUnion, brindlewick, today), cancellationToken))
        {
            report.Add("Demo dispute added: Brindlewick refuse collectors (fictional, balloting).");
        }

        if (await DisputeAsync(CareHomeWin(fictionalUnion, millbrook, today), cancellationToken))
        {
            report.Add("Demo dispute added: Millbrook care home night staff (fictional, won).");
        }

        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole<Guid>(role)), $"role {role}");
            }
        }

        await AccountAsync(OfficerEmail, OfficerPassword, "Pat Example", Roles.BranchOfficer, wm7680.Id);
        report.AddRange(await history.SeedAsync(cancellationToken));

        var signIn = $"{BaseAddress()}/account/sign-in";
        report.Add(await AdminInvitationAsync(signIn, cancellationToken));
        report.Add($"Demo branch officer ({ArgosBranchCode}): {OfficerEmail} / {OfficerPassword} at {signIn}");
        return report;
    }

    private static Dispute Argos(Union unite, Branch wm7680, Branch em0001, DateOnly today)
    {
        // The strike began at 06:00 on 17 May 2017 and ran for two weeks; the demo moves it so that it
        // began ten days ago, and moves every other date of the story by the same number of days.
        var start = today.AddDays(-10);
        var shift = start.DayNumber - new DateOnly(2017, 5, 17).DayNumber;
        DateTimeOffset On(int year, int month, int day, int hour, int minute) =>
            LondonClock.FromLondon(new DateOnly(year, month, day).AddDays(shift).ToDateTime(new TimeOnly(hour, minute)));

        return new Dispute
        {
            Slug = ArgosSlug,
            Title = "Argos warehouse strike",
            Employer = "Argos",
            UnionId = unite.Id,
            Summary = "About 1,400 Argos warehouse workers at six distribution centres are on a two-week continuous strike to defend their jobs, terms and conditions.",
            Body = """
                About 1,400 warehouse workers prepare the deliveries for Argos stores, at distribution centres in Basildon, Bridgwater, Burton-on-Trent, Castleford, Heywood and Lutterworth. They are members of Unite the Union.

                A culture of contracting out, and plans for fewer operating sites, threaten their jobs and their terms and conditions. Earlier this year Argos announced plans to transfer nearly 500 workers from its Lutterworth hub in Leicestershire to Wincanton logistics in Kettering.

                Unite has repeatedly asked Argos for guarantees on terms and conditions at all of its distribution sites. Argos has refused, so the workers voted to strike: two weeks of continuous action, ending at 05:59 on the fifteenth morning.

                Strikers lose their pay for every day they are out. Donations go to the branches' hardship funds, so that nobody is forced back to work by the bills.
                """,
            Status = DisputeStatus.TakingAction,
            WorkersInvolved = 1_400,
            TargetPence = 20_000_00,
            ChequePayee = "Unite WM7680 Hardship Fund",
            OfflineGivingNotes = """
                Please write "Argos strike" and your name or group on the back of the cheque, and include a note if you would like a receipt.

                Collections taken at meetings or on the picket line can be handed to the branch secretary, or paid in by cheque as above.
                """,
            IsPublished = true,
            Disclaimer = "This demonstration replays the Argos warehouse strike of May 2017 with its calendar moved to the current fortnight. The facts are as reported in 2017; the branch contacts, addresses and figures raised are fictional.",
            CreatedAt = On(2017, 5, 10, 9, 0),
            UpdatedAt = On(2017, 5, 26, 15, 0),
            Workplaces =
            [
                new() { Name = "Argos Basildon distribution centre", Town = "Basildon", BranchId = wm7680.Id },
                new() { Name = "Argos Bridgwater distribution centre", Town = "Bridgwater", BranchId = wm7680.Id },
                new() { Name = "Argos Burton-on-Trent distribution centre", Town = "Burton-on-Trent", BranchId = wm7680.Id },
                new() { Name = "Argos Castleford distribution centre", Town = "Castleford", BranchId = wm7680.Id },
                new() { Name = "Argos Heywood distribution centre", Town = "Heywood", BranchId = wm7680.Id },
                new() { Name = "Argos Lutterworth distribution centre", Town = "Lutterworth", BranchId = em0001.Id },
            ],
            Beneficiaries =
            [
                new() { BranchId = wm7680.Id, ShareBasisPoints = 6_000 },
                new() { BranchId = em0001.Id, ShareBasisPoints = 4_000 },
            ],
            Actions =
            [
                new()
                {
                    Kind = ActionKind.Strike,
                    Title = "Two-week continuous strike at all six distribution centres",
                    Details = "Picket lines at every site from the start of each shift. Visitors with food, flasks and banners are welcome.",
                    StartsAt = On(2017, 5, 17, 6, 0),
                    EndsAt = On(2017, 5, 31, 5, 59),
                },
            ],
            Updates =
            [
                new()
                {
                    Title = "The strike has begun",
                    Body = "Warehouse workers at all six Argos distribution centres walked out at 06:00 this morning for two weeks of continuous strike action.\n\nPicket lines are up at every site. Please send messages of support and donations to the branch.",
                    PublishedAt = On(2017, 5, 17, 9, 30),
                    AuthorName = "Unite WM7680",
                },
                new()
                {
                    Title = "High Court throws out Argos's bid to stop the strike",
                    Body = "The High Court has turned down Argos's application for an injunction to stop the strike: the second ruling against Argos in this dispute.\n\nUnite called the judgment a significant victory for the workers and urged Argos to get round the table and negotiate. The strike goes on.",
                    PublishedAt = On(2017, 5, 26, 15, 0),
                    AuthorName = "Unite WM7680",
                },
            ],
        };
    }

    private static Dispute RefuseBallot(Union union, Branch branch, DateOnly today) => Fictional(branch, "Brindlewick Council depot", "Brindlewick", madeUp: "the council", new()
    {
        Slug = "brindlewick-refuse-collectors",
        Title = "Brindlewick refuse collectors' pay ballot",
        Employer = "Brindlewick Borough Council (fictional)",
        UnionId = union.Id,
        Summary = "Refuse collectors in the fictional borough of Brindlewick are balloting for strike action after a pay offer below inflation for the third year running.",
        Body = """
            Brindlewick's 85 refuse collectors and drivers have been offered a pay rise below inflation for the third year in a row, while their rounds have grown by a fifth.

            Their branch is balloting them for strike action. A rally will show the council that the town is behind them.
            """,
        Status = DisputeStatus.Balloting,
        WorkersInvolved = 85,
        TargetPence = 5_000_00,
        ChequePayee = "PCWU PC0101 Strike Fund",
        CreatedAt = At(today.AddDays(-6), 10),
        UpdatedAt = At(today.AddDays(-2), 10),
        Actions =
        [
            new() { Kind = ActionKind.Demonstration, Title = "Rally outside the town hall", StartsAt = At(today.AddDays(5), 12), EndsAt = At(today.AddDays(5), 13) },
        ],
        Updates =
        [
            new() { Title = "Ballot opens", Body = "Ballot papers are going out to members this week. Vote yes, and post your paper back early.", PublishedAt = At(today.AddDays(-2), 10), AuthorName = "PCWU PC0101" },
        ],
    });

    private static Dispute CareHomeWin(Union union, Branch branch, DateOnly today) => Fictional(branch, "Millbrook House care home", "Millbrook", madeUp: "the employer", new()
    {
        Slug = "millbrook-care-night-staff",
        Title = "Millbrook care home night staff",
        Employer = "Millbrook Care Group (fictional)",
        UnionId = union.Id,
        Summary = "Night staff at a fictional care home won full sick pay from the first day of illness after six days of strike action.",
        Body = """
            Forty night carers at Millbrook Care Group had no sick pay for the first three days of any illness, so many came to work ill and put residents at risk.

            After six days of strike action spread over two months, and with residents' families on the picket line, the employer agreed full sick pay from the first day.
            """,
        Status = DisputeStatus.Won,
        WorkersInvolved = 40,
        TargetPence = 3_000_00,
        ChequePayee = "PCWU PC0202 Hardship Fund",
        CreatedAt = At(today.AddDays(-120), 10),
        UpdatedAt = At(today.AddDays(-45), 10),
        Actions =
        [
            new() { Kind = ActionKind.Strike, Title = "Three-night strike", StartsAt = At(today.AddDays(-90), 20), EndsAt = At(today.AddDays(-87), 8) },
            new() { Kind = ActionKind.Strike, Title = "Three-night strike", StartsAt = At(today.AddDays(-60), 20), EndsAt = At(today.AddDays(-57), 8) },
        ],
        Updates =
        [
            new() { Title = "We won", Body = "Millbrook Care Group has agreed full sick pay from the first day of illness. Thank you to everyone who gave and wrote.", PublishedAt = At(today.AddDays(-45), 10), AuthorName = "PCWU PC0202" },
        ],
    });

    /// <summary>
    /// A dispute the demo makes up: published, at one workplace, with one branch that takes every gift, and a disclaimer
    /// saying that <paramref name="madeUp"/>, the workers and the branch do not exist.
    /// </summary>
    private static Dispute Fictional(Branch branch, string workplace, string town, string madeUp, Dispute dispute)
    {
        dispute.IsPublished = true;
        dispute.Disclaimer = $"A fictional dispute made up for the demonstration: {madeUp}, the workers and the branch do not exist.";
        dispute.Workplaces = [new() { Name = workplace, Town = town, BranchId = branch.Id }];
        dispute.Beneficiaries = [new() { BranchId = branch.Id, ShareBasisPoints = BeneficiaryBranch.WholeShare }];
        return dispute;
    }

    private static DateTimeOffset At(DateOnly day, int hour) => LondonClock.FromLondon(day.ToDateTime(new TimeOnly(hour, 0)));

    private async Task<Union> UnionAsync(string name, string? website, CancellationToken cancellationToken)
    {
        var union = await db.Unions.SingleOrDefaultAsync(u => u.Name == name, cancellationToken);
        if (union is null)
        {
            union = new Union { Name = name, Website = website };
            db.Unions.Add(union);
            await db.SaveChangesAsync(cancellationToken);
        }

        return union;
    }

    private async Task<Branch> BranchAsync(
        Union union, string code, string name, string contactName, string postalAddress, string? contactEmail, CancellationToken cancellationToken)
    {
        var branch = await db.Branches.SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        if (branch is null)
        {
            branch = new Branch { Code = code, Name = name, UnionId = union.Id, ContactName = contactName, PostalAddress = postalAddress, ContactEmail = contactEmail };
            db.Branches.Add(branch);
            await db.SaveChangesAsync(cancellationToken);
        }

        return branch;
    }

    private async Task<bool> DisputeAsync(Dispute wanted, CancellationToken cancellationToken)
    {
        if (await db.Disputes.AnyAsync(d => d.Slug == wanted.Slug, cancellationToken))
        {
            return false;
        }

        db.Disputes.Add(wanted);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// No password is published for the demo admin, and no trust on first use: whoever opens the invitation link
    /// printed on the console chooses the password and enrols the app, as on a real site.
    /// </summary>
    private async Task<string> AdminInvitationAsync(string signIn, CancellationToken cancellationToken)
    {
        if (await users.FindByEmailAsync(AdminEmail) is { } admin && await SecondFactor.IsEnrolledAsync(users, admin))
        {
            return $"Demo admin: {AdminEmail} signs in at {signIn} with the password and the authenticator app or passkey set up through the invitation "
                + $"(`create-admin --email {AdminEmail}` makes a new invitation).";
        }

        var result = await invitations.IssueAsync(new InvitationRequest(AdminEmail, Roles.Admin, DisplayName: "Demo Admin"), Actor.Site, cancellationToken);
        var issued = result.Issued ?? throw new InvalidOperationException($"Could not invite the demo admin: {result.Refusal}");
        return $"Demo admin ({AdminEmail}): open {BaseAddress()}{issued.Path} to choose a password and set up an authenticator app. "
            + "The link works once; until it is used, every start prints a new one.";
    }

    private async Task AccountAsync(string email, string password, string displayName, string role, Guid? branchId)
    {
        if (await users.FindByEmailAsync(email) is not null)
        {
            return;
        }

        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName, BranchId = branchId };
        Check(await users.CreateAsync(user, password), email);
        Check(await users.AddToRoleAsync(user, role), email);
    }

    /// <summary>Where the printed links lead: the site's public address where one is set (a demonstration deployment), else where it listens.</summary>
    private string BaseAddress() =>
        configuration[SiteAddress.Setting] is { Length: > 0 } configured ? configured.TrimEnd('/')
        : (configuration["urls"] ?? SiteAddress.DevelopmentBaseUrl).Split(';', StringSplitOptions.RemoveEmptyEntries)[0].TrimEnd('/');

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not create the demo {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
