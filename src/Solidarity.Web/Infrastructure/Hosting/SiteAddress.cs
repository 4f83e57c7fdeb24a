namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// The site's absolute address: Site:BaseUrl where it is set (what people share; Production requires it), else,
/// for a request, the address it came in on, and for a job, which has no request, the development address.
/// </summary>
internal sealed class SiteAddress(IConfiguration configuration)
{
    public const string Setting = "Site:BaseUrl";
    public const string DevelopmentBaseUrl = "http://localhost:5080";

    private string? Configured => configuration[Setting] is { Length: > 0 } configured ? configured.TrimEnd('/') : null;

    /// <summary>Whether the address is configured, so that no page depends on the Host a request came with.</summary>
    public bool IsConfigured => Configured is not null;

    /// <summary>For links written outside a request: e-mails sent by jobs.</summary>
    public string BaseUrl() => Configured ?? DevelopmentBaseUrl;

    public string BaseUrl(HttpRequest request) =>
        Configured ?? $"{request.Scheme}://{request.Host.Value}{request.PathBase.Value}";

    public string Absolute(HttpRequest request, string path) => BaseUrl(request) + path;

    /// <summary>The host name alone, for tag: and UID values that must not change with the scheme or port.</summary>
    public string Authority(HttpRequest request) => new Uri(BaseUrl(request)).Host;
}
