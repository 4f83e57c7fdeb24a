using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Core.Messages;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Forms;
using static Solidarity.Testing.HtmlPages;
using static Solidarity.Tests.Donations.Checkout.CheckoutTestData;

namespace Solidarity.Tests.Donations.Checkout;

/// <summary>The donation form against Stripe.net talking to a loopback stand-in for Stripe's API.</summary>
public sealed class StripeCheckoutTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string SessionsPath = "/v1/checkout/sessions";

    private StandInSite Site => Fixture.WithStripe;
    private StripeStandIn Stripe => Fixture.Stripe;

    public override async Task InitializeAsync()
    {
        await Site.ResetAsync();
        Stripe.Reset();
        Stripe.On("POST", SessionsPath, request => new StripeAnswer(200, CheckoutSessionJson(request)));
    }

    [Fact]
    public async Task A_valid_donation_is_kept_pending_with_what_the_donor_gave_until_Stripe_confirms_it()
    {
        var (_, _, donation) = await GiveTwentyFiveCoveringTheFeeAsync();

        Assert.Equal(DonationStatus.Pending, donation.Status);
        Assert.Equal(DonationMethod.Card, donation.Method);
        Assert.Equal(2_500, donation.AmountPence);
        Assert.Equal(59, donation.FeeCoverPence);
        Assert.Null(donation.PublicName);
        Assert.Equal(DonorName, donation.DonorName);
        Assert.Equal(DonorEmail, donation.Email);
        Assert.NotNull(donation.PrivacyConsentAt);
        Assert.Equal(donation.ChargedPence, donation.Allocations.Sum(a => a.AmountPence));
    }

    [Fact]
    public async Task A_valid_donation_asks_Stripe_once_for_a_card_payment_session_keyed_by_the_donation()
    {
        var (_, _, donation) = await GiveTwentyFiveCoveringTheFeeAsync();

        var request = Assert.Single(Stripe.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal(SessionsPath, request.Path);
        Assert.Equal(donation.Id.ToString(), request.IdempotencyKey);
        Assert.Equal("Bearer " + StandInSite.SecretKey, request.Authorization);
        Assert.Equal("payment", request.Form["mode"]);

        // Card only, as the receipt says and the fee estimate assumes, whatever else the Stripe account enables.
        Assert.Equal("card", request.Form["allowed_payment_method_types[0]"]);
        Assert.DoesNotContain("allowed_payment_method_types[1]", request.Form.Keys);
        Assert.Equal("donate", request.Form["submit_type"]);
    }

    [Fact]
    public async Task The_checkout_session_charges_the_gift_and_the_fee_it_covers_in_pounds_for_the_dispute()
    {
        var (dispute, _, _) = await GiveTwentyFiveCoveringTheFeeAsync();

        var fields = Assert.Single(Stripe.Requests).Form;
        Assert.Equal("gbp", fields["currency"]);
        Assert.Equal("gbp", fields["line_items[0][price_data][currency]"]);
        Assert.Equal("2559", fields["line_items[0][price_data][unit_amount]"]);
        Assert.Equal($"Strike fund donation: {dispute.Title}", fields["line_items[0][price_data][product_data][name]"]);
        Assert.Equal("1", fields["line_items[0][quantity]"]);
    }

    [Fact]
    public async Task The_checkout_session_names_the_donation_and_its_dispute_and_returns_the_donor_to_the_site()
    {
        var (dispute, _, donation) = await GiveTwentyFiveCoveringTheFeeAsync();

        var fields = Assert.Single(Stripe.Requests).Form;
        var id = donation.Id.ToString();
        Assert.Equal(id, fields["client_reference_id"]);
        Assert.Equal(id, fields["metadata[donation_id]"]);
        Assert.Equal(dispute.Slug, fields["metadata[dispute]"]);
        Assert.Equal(id, fields["payment_intent_data[metadata][donation_id]"]);
        Assert.Equal(dispute.Slug, fields["payment_intent_data[metadata][dispute]"]);
        Assert.Equal(DonorEmail, fields["customer_email"]);
        Assert.Equal($"http://localhost/donations/{id}/thank-you?session_id={{CHECKOUT_SESSION_ID}}", fields["success_url"]);
        Assert.Equal($"http://localhost/disputes/{dispute.Slug}/donate?cancelled={id}", fields["cancel_url"]);
    }

    [Fact]
    public async Task A_valid_donation_redirects_the_donor_to_its_checkout_session()
    {
        var (_, answer, donation) = await GiveTwentyFiveCoveringTheFeeAsync();

        Assert.Equal(HttpStatusCode.SeeOther, answer.Status);
        Assert.Equal("cs_test_standin_" + donation.Id.ToString("N"), donation.StripeCheckoutSessionId);
        Assert.Equal(new Uri("https://checkout.stripe.com/c/pay/" + donation.StripeCheckoutSessionId), answer.Location);
    }

    /// <summary>£25 given through the form with the fee covered: the dispute, the form's answer (its status and where it redirects), and the donation it made.</summary>
    private async Task<(SeededDispute Dispute, (HttpStatusCode Status, Uri? Location) Answer, Donation Donation)> GiveTwentyFiveCoveringTheFeeAsync()
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.Preset"] = "";
        form["Input.OtherAmount"] = "25";
        form["Input.CoverFee"] = "true";

        using var response = await Site.Browser().PostFormAsync(dispute.DonatePath, form);
        var donation = await Site.WithDbAsync(db => db.Donations.AsNoTracking().Include(d => d.Allocations).SingleAsync());
        return (dispute, (response.StatusCode, response.Headers.Location), donation);
    }

    /// <summary>The donate form as the site shows it to <paramref name="client"/>, filled in for £25.</summary>
    private static async Task<HtmlForm> DonateFormAsync(HttpClient client, SeededDispute dispute) =>
        (await HtmlForm.GetAsync(client, dispute.DonatePath))
            .Set(ValidForm().Where(f => f.Key != "Input.Preset").Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)))
            .Set("Input.OtherAmount", "25");

    [Fact]
    public async Task The_same_form_sent_twice_goes_to_one_checkout_session_and_makes_one_donation()
    {
        var dispute = await SeedDisputeAsync(Site);
        var client = Site.Browser();
        var form = await DonateFormAsync(client, dispute);

        // A double click with no script: the browser sends the form twice and shows the second answer.
        using var first = await form.SubmitAsync();
        using var second = await form.SubmitAsync();

        Assert.Equal((HttpStatusCode.SeeOther, HttpStatusCode.SeeOther), (first.StatusCode, second.StatusCode));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        var donation = await Site.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync());
        Assert.Equal(form.Value("Input.AttemptId"), donation.Id.ToString());

        // Asked of Stripe again under the same key with the same fields, which Stripe answers with the same session.
        var requests = Stripe.Requests.Where(r => r.Path == SessionsPath).ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(donation.Id.ToString(), r.IdempotencyKey));
        Assert.Equal(requests[0].Body, requests[1].Body);

        // The form changed and sent again (back from Stripe, another amount): a second gift of its own.
        using var changed = await form.Set("Input.OtherAmount", "50").SubmitAsync();
        Assert.Equal(HttpStatusCode.SeeOther, changed.StatusCode);
        Assert.NotEqual(first.Headers.Location, changed.Headers.Location);
        Assert.Equal([2_500L, 5_000L], await Site.WithDbAsync(db => db.Donations.OrderBy(d => d.AmountPence).Select(d => d.AmountPence).ToListAsync()));
    }

    [Fact]
    public async Task A_pending_gift_is_not_picked_up_by_a_form_carrying_its_id_from_a_link_and_its_details_stay_with_its_giver()
    {
        var dispute = await SeedDisputeAsync(Site);
        var giver = Site.Browser();
        using var given = await (await DonateFormAsync(giver, dispute)).SubmitAsync();
        var donation = await Site.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync());

        // Someone holding the gift's cancel link (its id), the giver's email and the amount sends the form with that id.
        var other = Site.Browser();
        using var sent = await (await DonateFormAsync(other, dispute)).Set("Input.AttemptId", donation.Id.ToString()).SubmitAsync();

        Assert.Equal((HttpStatusCode.SeeOther, HttpStatusCode.SeeOther), (given.StatusCode, sent.StatusCode));
        Assert.NotEqual(given.Headers.Location, sent.Headers.Location);
        Assert.Equal(2, await Site.WithDbAsync(db => db.Donations.CountAsync()));
        var cancelled = $"{dispute.DonatePath}?cancelled={donation.Id}";
        Assert.Equal("", (await other.GetPageAsync(cancelled)).ValueOf("Input.Email") ?? "");
        Assert.Equal(DonorEmail, (await giver.GetPageAsync(cancelled)).ValueOf("Input.Email"));

        // Nor does a form the site shows again, refused for a missing amount, give the borrowed id a proof.
        using var refused = await (await DonateFormAsync(other, dispute))
            .Set("Input.OtherAmount", "").Set("Input.AttemptId", donation.Id.ToString()).SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var shownAgain = HtmlForm.From(other, await HtmlForm.ParseAsync(refused));
        Assert.NotEqual(donation.Id.ToString(), shownAgain.Value("Input.AttemptId"));
        using var resent = await shownAgain.Set("Input.OtherAmount", "25").SubmitAsync();
        Assert.Equal(HttpStatusCode.SeeOther, resent.StatusCode);
        Assert.NotEqual(given.Headers.Location, resent.Headers.Location);
        Assert.Equal(3, await Site.WithDbAsync(db => db.Donations.CountAsync()));
    }

    [Fact]
    public async Task A_form_sent_again_with_the_giver_now_anonymous_or_without_a_message_makes_a_new_gift_that_says_so()
    {
        var dispute = await SeedDisputeAsync(Site);
        var client = Site.Browser();
        var form = (await DonateFormAsync(client, dispute)).Set("Input.ShowPublicName", "true").Set("Input.PublicName", "Jo from Leek")
            .Set("Input.Message", "Stay strong");
        using var first = await form.SubmitAsync();

        // Back at the form ("payments unavailable", or the browser's back button), the giver chooses to stay anonymous.
        using var anonymous = await form.Set("Input.ShowPublicName", "false").Set("Input.PublicName", "").SubmitAsync();
        // And then takes the message back too.
        using var silent = await form.Set("Input.Message", "").SubmitAsync();

        Assert.Equal((HttpStatusCode.SeeOther, HttpStatusCode.SeeOther, HttpStatusCode.SeeOther), (first.StatusCode, anonymous.StatusCode, silent.StatusCode));
        Assert.Equal(3, new[] { first.Headers.Location, anonymous.Headers.Location, silent.Headers.Location }.Distinct().Count());
        var gifts = await Site.WithDbAsync(db => db.Donations.AsNoTracking().OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
            .Select(d => new { d.PublicName, Message = db.SupportMessages.Where(m => m.DonationId == d.Id).Select(m => m.Body).FirstOrDefault() })
            .ToListAsync());
        Assert.Equal([("Jo from Leek", "Stay strong"), (null, "Stay strong"), (null, null)], gifts.Select(g => (g.PublicName, g.Message)));
    }

    [Fact]
    public async Task Shared_donation_of_an_odd_amount_splits_60_40_to_the_penny()
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.OtherAmount"] = "10.01";

        using var response = await Site.Browser().PostFormAsync(dispute.DonatePath, form);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var donation = await Site.WithDbAsync(db => db.Donations.AsNoTracking().Include(d => d.Allocations).SingleAsync());
        Assert.Null(donation.ChosenBranchId);
        var parts = donation.Allocations.ToDictionary(a => a.BranchId, a => a.AmountPence);
        Assert.Equal(601, parts[dispute.MajorBranchId]);
        Assert.Equal(400, parts[dispute.MinorBranchId]);
        Assert.Equal(1_001, parts.Values.Sum());
        Assert.Equal("1001", Assert.Single(Stripe.Requests).Form["line_items[0][price_data][unit_amount]"]);
    }

    [Fact]
    public async Task Donation_to_one_branch_allocates_the_whole_charge_to_it_and_keeps_the_public_names_and_message()
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.Preset"] = "1000";
        form["Input.Beneficiary"] = dispute.MinorBranchId.ToString();
        form["Input.CoverFee"] = "true";
        form["Input.ShowPublicName"] = "true";
        form["Input.PublicName"] = "Sam from Selly Oak";
        form["Input.OrganisationName"] = "South Birmingham Momentum";
        form["Input.Message"] = "Solidarity from Birmingham!";

        using var response = await Site.Browser().PostFormAsync(dispute.DonatePath, form);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var donation = await Site.WithDbAsync(db => db.Donations.AsNoTracking().Include(d => d.Allocations).SingleAsync());
        Assert.Equal(dispute.MinorBranchId, donation.ChosenBranchId);
        Assert.Equal(1_036, donation.ChargedPence);
        var allocation = Assert.Single(donation.Allocations);
        Assert.Equal((dispute.MinorBranchId, 1_036L), (allocation.BranchId, allocation.AmountPence));
        Assert.Equal("Sam from Selly Oak", donation.PublicName);
        Assert.Equal("South Birmingham Momentum", donation.OrganisationName);

        var message = await Site.WithDbAsync(db => db.SupportMessages.AsNoTracking().SingleAsync());
        Assert.Equal(donation.Id, message.DonationId);
        Assert.Equal(dispute.Id, message.DisputeId);
        Assert.Equal(ModerationStatus.Pending, message.Status);
        Assert.Equal("Solidarity from Birmingham!", message.Body);
        Assert.Equal("Sam from Selly Oak", message.AuthorName);
    }

    public static TheoryData<string, string, string, string> BadInputs => new()
    {
        // field, value, the field whose message shows, part of the message
        { "Input.Preset", "", "Input.OtherAmount", "Choose an amount" },
        { "Input.OtherAmount", "0", "Input.OtherAmount", "at least £1" },
        { "Input.OtherAmount", "-5", "Input.OtherAmount", "at least £1" },
        { "Input.OtherAmount", "10000.01", "Input.OtherAmount", "£10,000" },
        { "Input.OtherAmount", "abc", "Input.OtherAmount", "Enter the amount in pounds, like 12.50." },
        { "Input.OtherAmount", "5.001", "Input.OtherAmount", "fractions of a penny" },
        { "Input.Preset", "777", "Input.OtherAmount", "Choose one of the amounts shown" },
        { "Input.Email", "", "Input.Email", "Enter your email address" },
        { "Input.Email", "not-an-email", "Input.Email", "name@example.org" },
        { "Input.Email", "jo@example", "Input.Email", "name@example.org" },
        { "Input.Email", "jo bloggs@example.org", "Input.Email", "name@example.org" },
        { "Input.Email", "jo@@example.org", "Input.Email", "name@example.org" },
        { "Input.Email", "Jo <jo@example.org>", "Input.Email", "name@example.org" },
        { "Input.Email", "jo@example.org.", "Input.Email", "name@example.org" },
        { "Input.Email", "jo@exa mple.org", "Input.Email", "name@example.org" },
        { "Input.Email", "\"jo\"@example.org", "Input.Email", "name@example.org" },
        { "Input.DonorName", "", "Input.DonorName", "Enter your name" },
        { "Input.Consent", "false", "Input.Consent", "privacy notice" },
        { "Input.Beneficiary", "outsider", "Input.Beneficiary", "Choose one of this dispute's branches" },
        { "Input.Beneficiary", "not-a-branch", "Input.Beneficiary", "Choose one of this dispute's branches" },
        { "Input.ShowPublicName", "true", "Input.PublicName", "Type the name to show" },
        { "Input.Message", new string('x', 2_001), "Input.Message", "2,000 characters" },
        { "Input.Message", "See https://a.example https://b.example https://c.example", "Input.Message", "at most 2 web links" },
    };

    /// <summary>
    /// A control character, or one that turns the text after it round: a name ending in a right-to-left override would
    /// show the rest of its line on the supporters page, its amount included, reversed.
    /// </summary>
    [Theory]
    [InlineData("Input.DonorName", '\u0007')]
    [InlineData("Input.OrganisationName", '\u0007')]
    [InlineData("Input.PublicName", '\u0007')]
    [InlineData("Input.Email", '\u0007')]
    [InlineData("Input.Message", '\u0007')]
    [InlineData("Input.PublicName", '\u202E')]
    [InlineData("Input.OrganisationName", '\u2067')]
    [InlineData("Input.Message", '\u202E')]
    public async Task Control_and_direction_override_characters_in_any_field_are_refused_with_a_message_not_a_server_error(string field, char character)
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.ShowPublicName"] = "true";
        form["Input.PublicName"] = "Sam";
        form["Input.ShowAmount"] = "true";
        form[field] = field == "Input.Email" ? $"jo{character}@example.org" : $"Jo{character}Bloggs";

        using var response = await Site.Browser().PostFormAsync(dispute.DonatePath, form);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var error = (await ParseAsync(response)).QuerySelector($"[data-valmsg-for='{field}']");
        Assert.Equal(TypedText.Unprintable, error?.TextContent.Trim());
        Assert.Equal(0, await Site.WithDbAsync(db => db.Donations.CountAsync()));
        Assert.Empty(Stripe.Requests);
    }

    [Fact]
    public async Task A_message_of_two_thousand_characters_typed_with_line_breaks_is_taken_as_the_message_form_takes_it()
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();

        // 2,019 characters as the browser sends them (CRLF), 2,000 as typed, counted and stored.
        form["Input.Message"] = string.Join("\r\n", Enumerable.Repeat(new string('a', 99), 20)) + "b";

        using var response = await Site.Browser().PostFormAsync(dispute.DonatePath, form);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(2_000, (await Site.WithDbAsync(db => db.SupportMessages.AsNoTracking().SingleAsync())).Body.Length);
    }

    [Fact]
    public async Task A_NUL_character_is_refused_with_the_bad_request_page_and_nothing_is_written()
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.DonorName"] = "Jo\0Bloggs";

        using var response = await Site.Browser().PostFormAsync(dispute.DonatePath, form);

        // The form reader refuses it before the page runs, so the page cannot keep the typed values.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("could not understand", (await ParseAsync(response)).Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await Site.WithDbAsync(db => db.Donations.CountAsync()));
        Assert.Empty(Stripe.Requests);
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_returns_the_form_with_a_message_at_the_field_and_the_typed_values_without_a_donation_or_a_Stripe_call(
        string field, string value, string errorField, string message)
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.OrganisationName"] = "Trades Council";
        form["Input.Message"] = "Stay strong";
        form[field] = field == "Input.Beneficiary" && value == "outsider" ? dispute.OutsiderBranchId.ToString() : value;
        if (field == "Input.OtherAmount")
        {
            form["Input.Preset"] = "";
        }

        using var response = await Site.Browser().PostFormAsync(dispute.DonatePath, form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        var error = page.QuerySelector($"[data-valmsg-for='{errorField}']");
        Assert.NotNull(error);
        Assert.Contains(message, error.TextContent, StringComparison.Ordinal);

        // The field the message is for is marked and described by it, for a screen reader; where the field is one the
        // page writes with its own markup (the message, the amounts), its message is still beside it and in the summary.
        var described = page.QuerySelector($"[name='{errorField}'][aria-describedby~='{error.Id}']");
        if (errorField is "Input.Email" or "Input.DonorName" or "Input.Consent" or "Input.PublicName")
        {
            Assert.False(string.IsNullOrEmpty(error.Id));
            Assert.Equal("true", described?.GetAttribute("aria-invalid"));
        }

        Assert.Contains(message, page.QuerySelector(".form-errors")?.TextContent ?? error.TextContent, StringComparison.Ordinal);
        Assert.Equal("Trades Council", page.ValueOf("Input.OrganisationName"));
        Assert.Equal(form["Input.DonorName"], page.ValueOf("Input.DonorName"));
        Assert.Equal(form["Input.Email"], page.ValueOf("Input.Email"));
        Assert.Equal(form["Input.Message"], page.ValueOf("Input.Message"));
        if (field == "Input.OtherAmount")
        {
            Assert.Equal(value, page.ValueOf("Input.OtherAmount"));
        }
        else
        {
            Assert.Equal(form["Input.Preset"] is "777" or "" ? null : form["Input.Preset"], page.CheckedValueOf("Input.Preset"));
        }

        Assert.Equal(0, await Site.WithDbAsync(db => db.Donations.CountAsync()));
        Assert.Equal(0, await Site.WithDbAsync(db => db.SupportMessages.CountAsync()));
        Assert.Empty(Stripe.Requests);
    }

    [Fact]
    public async Task Unknown_or_unpublished_dispute_answers_404_to_the_form_and_to_a_post()
    {
        var active = await SeedDisputeAsync(Site);
        await SeedDisputeAsync(Site, "draft-dispute", published: false);
        var client = Site.Browser();

        foreach (var path in new[] { "/disputes/no-such-dispute/donate", "/disputes/draft-dispute/donate" })
        {
            using var get = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            using var post = await client.PostFormAsync(path, ValidForm(), tokenFrom: active.DonatePath);
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        }

        Assert.Equal(0, await Site.WithDbAsync(db => db.Donations.CountAsync()));
        Assert.Empty(Stripe.Requests);
    }

    [Fact]
    public async Task Won_dispute_shows_that_it_takes_no_donations_and_refuses_a_post()
    {
        var active = await SeedDisputeAsync(Site);
        var won = await SeedDisputeAsync(Site, "won-dispute", DisputeStatus.Won);
        var client = Site.Browser();

        var page = await client.GetPageAsync(won.DonatePath);
        Assert.Contains("no longer taking donations", page.QuerySelector("#not-accepting")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("#donate-form"));

        using var post = await client.PostFormAsync(won.DonatePath, ValidForm(), tokenFrom: active.DonatePath);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.NotNull((await ParseAsync(post)).QuerySelector("#not-accepting"));
        Assert.Equal(0, await Site.WithDbAsync(db => db.Donations.CountAsync()));
        Assert.Empty(Stripe.Requests);
    }

    [Fact]
    public async Task Stripes_error_message_which_may_quote_the_donors_address_never_reaches_the_log_but_its_code_does()
    {
        Stripe.On("POST", SessionsPath, _ => new StripeAnswer(400, $$$"""
            {"error":{"type":"invalid_request_error","code":"email_invalid","param":"customer_email","message":"Invalid email address: {{{DonorEmail}}}"}}
            """));
        var dispute = await SeedDisputeAsync(Site);
        using var logs = new CapturedLogs();
        await using var logged = Site.WithWebHostBuilder(b => b.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var browser = logged.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await browser.PostFormAsync(dispute.DonatePath, ValidForm());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(logs.Entries, e => e.Message.Contains("email_invalid", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(DonorEmail, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Cancel_link_shows_the_form_filled_from_the_pending_donation_with_a_note_that_nothing_was_charged()
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.Preset"] = "";
        form["Input.OtherAmount"] = "12.34";
        form["Input.Beneficiary"] = dispute.MajorBranchId.ToString();
        form["Input.ShowPublicName"] = "true";
        form["Input.PublicName"] = "Sam";
        form["Input.OrganisationName"] = "Trades Council";
        form["Input.Message"] = "Stay strong";
        form["Input.CoverFee"] = "true";
        var client = Site.Browser();
        using (var post = await client.PostFormAsync(dispute.DonatePath, form))
        {
            Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);
        }

        var cancelUrl = new Uri(Assert.Single(Stripe.Requests).Form["cancel_url"]).PathAndQuery;
        var page = await client.GetPageAsync(cancelUrl);

        Assert.Contains("nothing was charged", page.QuerySelector("#cancelled-notice")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("12.34", page.ValueOf("Input.OtherAmount"));
        Assert.Null(page.CheckedValueOf("Input.Preset"));
        Assert.Equal(dispute.MajorBranchId.ToString(), page.CheckedValueOf("Input.Beneficiary"));
        Assert.Equal("true", page.CheckedValueOf("Input.ShowPublicName"));
        Assert.Equal("Sam", page.ValueOf("Input.PublicName"));
        Assert.Equal("Trades Council", page.ValueOf("Input.OrganisationName"));
        Assert.Equal(DonorName, page.ValueOf("Input.DonorName"));
        Assert.Equal(DonorEmail, page.ValueOf("Input.Email"));
        Assert.Equal("Stay strong", page.ValueOf("Input.Message"));
        Assert.Equal("true", page.CheckedValueOf("Input.CoverFee"));
    }

    [Fact]
    public async Task Cancel_link_prefills_nothing_for_another_disputes_paid_or_day_old_donation()
    {
        var dispute = await SeedDisputeAsync(Site);
        var other = await SeedDisputeAsync(Site, "other-dispute");
        var client = Site.Browser();
        using (var post = await client.PostFormAsync(dispute.DonatePath, ValidForm()))
        {
            Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);
        }

        var id = await Site.WithDbAsync(db => db.Donations.Select(d => d.Id).SingleAsync());
        await AssertPrefilledAsync(client, dispute, id, expected: true);
        await AssertPrefilledAsync(client, other, id, expected: false);

        await Site.WithDbAsync(db => db.Donations.ExecuteUpdateAsync(s => s.SetProperty(d => d.CreatedAt, d => d.CreatedAt.AddHours(-25))));
        await AssertPrefilledAsync(client, dispute, id, expected: false);

        await Site.WithDbAsync(db => db.Donations.ExecuteUpdateAsync(s => s
            .SetProperty(d => d.CreatedAt, d => d.CreatedAt.AddHours(25))
            .SetProperty(d => d.Status, DonationStatus.Paid)));
        await AssertPrefilledAsync(client, dispute, id, expected: false);
    }

    [Fact]
    public async Task Form_shows_the_fee_estimate_and_total_computed_on_the_server()
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.CoverFee"] = "true";
        form["Input.Consent"] = "false";

        using var response = await Site.Browser().PostFormAsync(dispute.DonatePath, form);

        var page = await ParseAsync(response);
        Assert.Equal("add £0.59", page.QuerySelector("#fee-estimate")!.TextContent.Trim());
        Assert.Equal("You will pay £25.59.", page.QuerySelector("#charge-total")!.TextContent.Trim());
        Assert.Contains("1.5% + 20p", page.QuerySelector("label[for=cover-fee]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Form_offers_the_presets_the_branches_anonymity_by_default_and_a_privacy_notice_on_special_category_data()
    {
        var dispute = await SeedDisputeAsync(Site);

        var page = await Site.Browser().GetPageAsync(dispute.DonatePath);

        Assert.Equal(["500", "1000", "2500", "5000"], page.QuerySelectorAll("input[name='Input.Preset']").Select(i => i.GetAttribute("value")));
        Assert.Equal(
            ["all", dispute.MajorBranchId.ToString(), dispute.MinorBranchId.ToString()],
            page.QuerySelectorAll("input[name='Input.Beneficiary']").Select(i => i.GetAttribute("value")));
        Assert.Equal("false", page.CheckedValueOf("Input.ShowPublicName"));
        Assert.Null(page.CheckedValueOf("Input.Consent"));
        var notice = page.QuerySelector(".privacy-notice")!.TextContent;
        Assert.Contains("special-category data", notice, StringComparison.Ordinal);
        Assert.Contains("trade-union sympathies", notice, StringComparison.Ordinal);
        Assert.Contains("erased", notice, StringComparison.Ordinal);
        Assert.Empty(page.QuerySelectorAll("script:not([src])"));
        Assert.Empty(page.QuerySelectorAll("[style]"));
    }

    [Fact]
    public async Task Cancel_link_opened_in_another_browser_shows_nothing_of_the_donor()
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.Message"] = "Stay strong";
        using (var post = await Site.Browser().PostFormAsync(dispute.DonatePath, form))
        {
            Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);
        }

        // The cancel address is shared, logged or seen at Stripe: someone else opening it gets an empty form.
        var cancelUrl = new Uri(Assert.Single(Stripe.Requests).Form["cancel_url"]).PathAndQuery;
        var page = await Site.Browser().GetPageAsync(cancelUrl);

        Assert.Null(page.QuerySelector("#cancelled-notice"));
        Assert.Equal("", page.ValueOf("Input.Email"));
        Assert.Equal("", page.ValueOf("Input.DonorName"));
        Assert.DoesNotContain("Stay strong", page.Body!.TextContent, StringComparison.Ordinal);
    }

    private static async Task AssertPrefilledAsync(HttpClient browser, SeededDispute dispute, Guid donationId, bool expected)
    {
        var page = await browser.GetPageAsync($"{dispute.DonatePath}?cancelled={donationId}");
        Assert.Equal(expected, page.QuerySelector("#cancelled-notice") is not null);
        Assert.Equal(expected ? DonorEmail : "", page.ValueOf("Input.Email"));
        Assert.Equal(expected ? DonorName : "", page.ValueOf("Input.DonorName"));
    }
}
