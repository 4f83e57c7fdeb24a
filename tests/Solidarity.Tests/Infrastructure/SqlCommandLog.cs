using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Data;

namespace Solidarity.Tests.Infrastructure;

/// <summary>
/// The SQL commands the site sent while serving each request that carried <see cref="Header"/>, filed under that
/// header's value: a test names its request, sends it, and reads back exactly what that request cost the database,
/// whatever else the site was doing meanwhile.
/// </summary>
public sealed class SqlCommandLog(IHttpContextAccessor http) : DbCommandInterceptor
{
    public const string Header = "X-Test-Request";

    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _byRequest = new();

    /// <summary>Adds the log to the site's DbContext; call from ConfigureTestServices.</summary>
    public static void AddTo(IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<SqlCommandLog>();
        services.ConfigureDbContext<SolidarityDbContext>((provider, options) => options.AddInterceptors(provider.GetRequiredService<SqlCommandLog>()));
    }

    /// <summary>The commands, in the order sent, of the request named <paramref name="requestId"/>.</summary>
    public IReadOnlyList<string> CommandsOf(string requestId) =>
        _byRequest.TryGetValue(requestId, out var commands) ? [.. commands] : [];

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    private void Record(DbCommand command)
    {
        var requestId = http.HttpContext?.Request.Headers[Header].ToString();
        if (!string.IsNullOrEmpty(requestId))
        {
            _byRequest.GetOrAdd(requestId, _ => new ConcurrentQueue<string>()).Enqueue(command.CommandText);
        }
    }
}
