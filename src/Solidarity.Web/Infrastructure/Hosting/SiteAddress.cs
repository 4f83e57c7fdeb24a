namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// Absolute addresses for link previews and feeds: Site:BaseUrl where it is set (what people share), else the
/// address this request came in on.
/// </summary>
public sealed class SiteAddress(IConfiguration configuration)
{
    public string BaseUrl(HttpRequest request) =>
        configuration["Site:BaseUrl"] is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{request.Scheme}://{request.Host.Value}{request.PathBase.Value}";

    public string Absolute(HttpRequest request, string path) => BaseUrl(request) + path;

    /// <summary>The host name alone, for tag: and UID values that must not change with the scheme or port.</summary>
    public string Authority(HttpRequest request) => new Uri(BaseUrl(request)).Host;
}
