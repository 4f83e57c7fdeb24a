using System.Diagnostics.CodeAnalysis;
using Solidarity.Web.Demo;
using Solidarity.Web.Infrastructure.Email;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Infrastructure.Jobs;
using Solidarity.Web.Infrastructure.Pdf;
using Solidarity.Web.Infrastructure.Stripe;
using Solidarity.Web.Infrastructure.Throttling;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Admin.Donors;
using Solidarity.Web.Pages.Admin.Money;
using Solidarity.Web.Pages.Admin.Updates;
using Solidarity.Web.Pages.Disputes;
using Solidarity.Web.Pages.Disputes.Books;
using Solidarity.Web.Pages.Donations.Checkout;
using Solidarity.Web.Pages.Donations.Monthly;
using Solidarity.Web.Pages.Donations.Webhooks;
using Solidarity.Web.Pages.Feeds;
using Solidarity.Web.Pages.Ledger;
using Solidarity.Web.Pages.Messages;
using Solidarity.Web.Pages.Receipts;
using Solidarity.Web.Pages.Remittances;

var builder = WebApplication.CreateBuilder(args);
if (!await builder.AddSolidarityDatabaseAsync())
{
    return 1;
}

builder.AddSiteHosting();
builder.AddAccounts();
builder.AddThrottling();
builder.AddJobs();
builder.AddEmail();
builder.AddPdf();
builder.AddStripe();
builder.AddLedger();
builder.AddDonationCheckout();
builder.AddMonthlyGiving();
builder.AddStripeWebhooks();
builder.AddReceipts();
builder.AddDisputePages();
builder.AddMessages();
builder.AddDisputeUpdates();
builder.AddRemittances();
builder.AddOfflineMoney();
builder.AddDonorRecords();
builder.AddAuditTrail();
builder.AddDemoData();

var app = builder.Build();
app.UseSolidarity();

app.MapSolidarityHealth();
app.MapRazorPages();
app.MapStripeWebhook();
app.MapReceipts();
app.MapFeeds();
app.MapOpenBooks();
app.MapCharts();
app.MapJobsDashboard();

return await app.RunSolidarityAsync(args);

/// <summary>The site's entry point, public so that tests can host it.</summary>
[SuppressMessage("Maintainability", "CA1515", Justification = "The tests host the site through WebApplicationFactory<Program>.")]
public partial class Program;
