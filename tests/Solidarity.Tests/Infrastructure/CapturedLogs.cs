using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Solidarity.Tests.Infrastructure;

/// <summary>Keeps every message logged through it, for tests that check what the site says in its log.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyCollection<CapturedLog> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs._entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception)));
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, string Message);
