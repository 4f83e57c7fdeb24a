using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// Who a route is for. Every endpoint of the site declares one, and the tests ask each route as each kind of person
/// and compare the answer with it, so a route that is reachable by the wrong people, or declares nobody, fails a test.
/// </summary>
[SuppressMessage("Maintainability", "CA1515", Justification = "The authorisation matrix test takes it as a parameter of a public test method.")]
public enum Audience
{
    /// <summary>Anyone, signed in or not: the public pages, the donor's own pages (by link or browser), sign-in.</summary>
    Public,

    /// <summary>Anyone signed in, whatever their role: their own account's pages.</summary>
    SignedIn,

    /// <summary>Branch officers, each seeing their own branch only.</summary>
    BranchOfficer,

    /// <summary>Moderators and admins, both signed in with a second factor.</summary>
    Moderator,

    /// <summary>Admins signed in with a second factor.</summary>
    Admin,

    /// <summary>Other machines: Stripe's webhooks, the orchestrator's health probes. No person signs in to them.</summary>
    Machine,
}

/// <summary>The declared audience of a page (on its model) or of a minimal endpoint (as metadata).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class AudienceAttribute(Audience audience) : Attribute
{
    public Audience Audience { get; } = audience;
}

internal static class AudienceMetadata
{
    /// <summary>Declares who a minimal endpoint is for.</summary>
    public static TBuilder ForAudience<TBuilder>(this TBuilder builder, Audience audience)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AudienceAttribute(audience));
}

/// <summary>
/// Gives each page the audience its folder stands for, so a page added to a folder is declared without anyone writing
/// it down: the admin area is for admins (its moderation folders for moderators too), /Branch for branch officers, the
/// supporters' folders for everyone, and /Account for whoever is signed in, except the pages that must work before
/// signing in, which say so with <see cref="AllowAnonymousAttribute"/>. A page in a folder not listed here gets no
/// audience, and the test that every route declares one fails until someone decides.
/// </summary>
internal sealed class AudienceConvention : IPageApplicationModelConvention
{
    private static readonly string[] PublicFolders = ["/Disputes/", "/Donations/", "/Messages/", "/Receipts/"];

    public void Apply(PageApplicationModel page)
    {
        if (page.HandlerTypeAttributes.OfType<AudienceAttribute>().Any() || AudienceOf(page) is not { } audience)
        {
            return;
        }

        page.EndpointMetadata.Add(new AudienceAttribute(audience));
    }

    private static Audience? AudienceOf(PageApplicationModel page)
    {
        var path = page.ViewEnginePath;
        if (path.StartsWith("/Admin/", StringComparison.Ordinal))
        {
            return AccountsHosting.IsModerationPage(path) ? Audience.Moderator : Audience.Admin;
        }

        if (path.StartsWith("/Branch/", StringComparison.Ordinal))
        {
            return Audience.BranchOfficer;
        }

        if (path.StartsWith("/Account/", StringComparison.Ordinal))
        {
            return page.HandlerTypeAttributes.OfType<IAllowAnonymous>().Any() ? Audience.Public : Audience.SignedIn;
        }

        // Pages at the root of /Pages (the home page, the error page) are public; a new folder must be placed above.
        return PublicFolders.Any(folder => path.StartsWith(folder, StringComparison.Ordinal)) || path.LastIndexOf('/') == 0
            ? Audience.Public
            : null;
    }
}
