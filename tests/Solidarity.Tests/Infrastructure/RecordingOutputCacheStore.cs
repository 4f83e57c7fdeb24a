using System.Collections.Concurrent;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Solidarity.Tests.Infrastructure;

/// <summary>A response the site put in its output cache: under which key, with which tags, for how long.</summary>
public sealed record StoredPage(string Key, IReadOnlyList<string> Tags, TimeSpan ValidFor);

/// <summary>
/// The site's own output cache store, with a record of every entry stored in it, so a test can check how long a
/// process keeps a page and how it is tagged, rather than only what it serves.
/// </summary>
public sealed class RecordingOutputCacheStore(IOutputCacheStore store) : IOutputCacheStore
{
    private readonly ConcurrentQueue<StoredPage> _stored = new();

    public IReadOnlyList<StoredPage> Stored => [.. _stored];

    /// <summary>Wraps the store the site registered; call from ConfigureTestServices.</summary>
    public static void AddTo(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IOutputCacheStore));
        services.Replace(ServiceDescriptor.Singleton<IOutputCacheStore>(provider => new RecordingOutputCacheStore(
            (IOutputCacheStore)(registered.ImplementationInstance
                ?? registered.ImplementationFactory?.Invoke(provider)
                ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!)))));
    }

    public ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken) => store.EvictByTagAsync(tag, cancellationToken);

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => store.GetAsync(key, cancellationToken);

    public ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        _stored.Enqueue(new StoredPage(key, tags ?? [], validFor));
        return store.SetAsync(key, value, tags, validFor, cancellationToken);
    }
}
