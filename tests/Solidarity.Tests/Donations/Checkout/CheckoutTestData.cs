using System.Net;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;
using Solidarity.Core.Disputes;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Donations.Checkout;

/// <summary>A dispute with two beneficiary branches sharing 60/40, and a branch of the same union that is not a beneficiary.</summary>
public sealed record SeededDispute(Guid Id, string Slug, string Title, Guid MajorBranchId, Guid MinorBranchId, Guid OutsiderBranchId)
{
    public string DonatePath => $"/disputes/{Slug}/donate";
}

internal static class CheckoutTestData
{
    public const string DonorName = "Jo Bloggs";
    public const string DonorEmail = "jo.bloggs@example.org";

    public static async Task<SeededDispute> SeedDisputeAsync(
        SolidarityApp app, string slug = "warehouse-strike", DisputeStatus status = DisputeStatus.TakingAction, bool published = true)
    {
        var union = new Union { Name = "Test Union " + slug };
        Branch NewBranch(string code, string name) => new()
        {
            Code = code, Name = name, Union = union, PostalAddress = "1 Example Street\nBurton upon Trent", ContactName = "A. Secretary",
        };
        var major = NewBranch(slug[..3].ToUpperInvariant() + "1", "Burton Logistics Branch");
        var minor = NewBranch(slug[..3].ToUpperInvariant() + "2", "Castleford Warehouse Branch");
        var outsider = NewBranch(slug[..3].ToUpperInvariant() + "9", "Unrelated Branch");
        var now = DateTimeOffset.UtcNow;
        var dispute = new Dispute
        {
            Slug = slug, Title = "Warehouse workers " + slug, Employer = "Example Retail", Union = union, Summary = "Workers are out.",
            Body = "Why they are out.", Status = status, IsPublished = published, CreatedAt = now, UpdatedAt = now,
        };
        dispute.Workplaces.Add(new Workplace { Name = "Burton distribution centre", Town = "Burton-on-Trent", Branch = major });
        dispute.Workplaces.Add(new Workplace { Name = "Castleford distribution centre", Town = "Castleford", Branch = minor });
        dispute.Beneficiaries.Add(new BeneficiaryBranch { Branch = major, ShareBasisPoints = 6_000 });
        dispute.Beneficiaries.Add(new BeneficiaryBranch { Branch = minor, ShareBasisPoints = 4_000 });
        await app.WithDbAsync(async db =>
        {
            db.AddRange(union, major, minor, outsider, dispute);
            await db.SaveChangesAsync();
        });
        return new SeededDispute(dispute.Id, slug, dispute.Title, major.Id, minor.Id, outsider.Id);
    }

    /// <summary>A complete, valid form: £25, shared across all branches, anonymous, privacy notice accepted.</summary>
    public static Dictionary<string, string> ValidForm() => new()
    {
        ["Input.Preset"] = "2500",
        ["Input.OtherAmount"] = "",
        ["Input.Beneficiary"] = "all",
        ["Input.ShowPublicName"] = "false",
        ["Input.PublicName"] = "",
        ["Input.OrganisationName"] = "",
        ["Input.DonorName"] = DonorName,
        ["Input.Email"] = DonorEmail,
        ["Input.Message"] = "",
        ["Input.CoverFee"] = "false",
        ["Input.Consent"] = "true",
    };

    /// <summary>A client of the site; a Production site is reached over HTTPS, as behind its proxy, since its cookies are Secure.</summary>
    /// <summary>A browser on <paramref name="site"/> that arrives from <paramref name="address"/> (the site needs <see cref="Infrastructure.ClientAddress"/>).</summary>
    public static HttpClient ClientAt(this WebApplicationFactory<Program> site, string address)
    {
        var client = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(Infrastructure.ClientAddress.Header, address);
        return client;
    }

    /// <summary>The valid form, given from <paramref name="email"/>.</summary>
    public static Task<HttpResponseMessage> DonateAsync(this HttpClient client, SeededDispute dispute, string email)
    {
        var form = ValidForm();
        form["Input.Email"] = email;
        return client.PostFormAsync(dispute.DonatePath, form);
    }

    public static HttpClient Browser(this SolidarityApp app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            BaseAddress = new Uri(app is ProductionSite ? "https://localhost" : "http://localhost"),
        });

    public static string ValueOf(this IHtmlDocument page, string name) =>
        page.QuerySelector($"[name='{name}']") switch
        {
            IHtmlTextAreaElement area => area.Value,
            IHtmlInputElement input => input.Value,
            _ => throw new InvalidOperationException($"The page has no field {name}."),
        };

    public static string? CheckedValueOf(this IHtmlDocument page, string name) =>
        page.QuerySelectorAll($"input[name='{name}']").OfType<IHtmlInputElement>().SingleOrDefault(i => i.IsChecked && i.Type != "hidden")?.Value;

    /// <summary>An open checkout.session as Stripe answers a create, from what the site asked for.</summary>
    public static string CheckoutSessionJson(StripeRequest request)
    {
        var fields = request.Form;
        var donationId = fields.GetValueOrDefault("client_reference_id", "");
        var sessionId = "cs_test_standin_" + donationId.Replace("-", "", StringComparison.Ordinal);
        var amount = long.Parse(fields.GetValueOrDefault("line_items[0][price_data][unit_amount]", "0"), System.Globalization.CultureInfo.InvariantCulture);
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = sessionId,
            ["object"] = "checkout.session",
            ["amount_subtotal"] = amount,
            ["amount_total"] = amount,
            ["cancel_url"] = fields.GetValueOrDefault("cancel_url"),
            ["client_reference_id"] = donationId,
            ["created"] = 1_495_000_000,
            ["currency"] = "gbp",
            ["customer"] = null,
            ["customer_email"] = fields.GetValueOrDefault("customer_email"),
            ["expires_at"] = 1_495_086_400,
            ["livemode"] = false,
            ["metadata"] = new Dictionary<string, string?>
            {
                ["donation_id"] = fields.GetValueOrDefault("metadata[donation_id]"),
                ["dispute"] = fields.GetValueOrDefault("metadata[dispute]"),
            },
            ["mode"] = "payment",
            ["payment_intent"] = null,
            ["payment_method_types"] = new[] { "card" },
            ["payment_status"] = "unpaid",
            ["status"] = "open",
            ["submit_type"] = "donate",
            ["success_url"] = fields.GetValueOrDefault("success_url"),
            ["url"] = "https://checkout.stripe.com/c/pay/" + sessionId,
        });
    }
}
