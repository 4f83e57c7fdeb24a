using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Web.Infrastructure.Throttling;

namespace Solidarity.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL counters every limit of the site is kept in: a refused attempt counts, and the wait it is told is long
/// enough that one attempt made when it ends goes through.
/// </summary>
public sealed class ThrottleTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const int Limit = 5;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>The start of a ten-minute window.</summary>
    private static readonly DateTimeOffset WindowStart = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TestClock _clock = new() { Now = WindowStart };
    private WebApplicationFactory<Program> _site = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _site = App.WithWebHostBuilder(b => b.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)));
    }

    public override async Task DisposeAsync() => await _site.DisposeAsync();

    [Theory]
    [InlineData(0, 6)] // over the limit at once: the wait runs past the window's end, until enough of it has faded
    [InlineData(9 * 60, 5)] // five late in one window: the next window's first attempt is refused by their weight
    [InlineData(9 * 60, 8)] // a flood late in one window
    [InlineData(0, 1)] // one only: the limit of one per window is reached by it
    [InlineData(0, 9)] // a wait of whole seconds whose weight rounds just above the limit (7 allowed, 1 + 9 × 6/9)
    public async Task An_attempt_made_when_the_refusal_said_goes_through(int secondsIntoWindow, int burst)
    {
        var limit = burst switch { 1 => 1, 9 => 7, _ => Limit };
        _clock.Now = WindowStart.AddSeconds(secondsIntoWindow);
        TimeSpan? wait = null;
        for (var i = 0; i < burst + 1; i++)
        {
            wait = await TryTakeAsync(limit);
        }

        // Refused, at once or in the next window: the weight of the burst is still there.
        if (wait is null)
        {
            _clock.Now = WindowStart + Window;
            wait = await TryTakeAsync(limit);
        }

        Assert.NotNull(wait);
        _clock.Now += wait.Value;
        Assert.Null(await TryTakeAsync(limit));
    }

    [Fact]
    public async Task The_wait_is_no_longer_than_it_must_be()
    {
        await TakeTheWholeAllowanceAsync();

        var wait = await TryTakeAsync(Limit);

        // Six counted in this window: a seventh in the next is allowed once 4/6 of this window's weight is left there.
        Assert.Equal(Window + (Window / 3), wait);
        _clock.Now += wait!.Value - TimeSpan.FromSeconds(2);
        Assert.NotNull(await TryTakeAsync(Limit));
    }

    [Fact]
    public async Task Asking_how_long_without_taking_counts_nothing_and_answers_what_taking_would()
    {
        await TakeTheWholeAllowanceAsync();

        var first = await WaitWithoutTakingAsync(Limit);
        var second = await WaitWithoutTakingAsync(Limit);

        Assert.NotNull(first);
        Assert.Equal(first, second);
        _clock.Now += first!.Value;
        Assert.Null(await TryTakeAsync(Limit));
    }

    [Fact]
    public async Task Asking_how_long_under_the_limit_answers_now()
    {
        Assert.Null(await TryTakeAsync(Limit));
        Assert.Null(await WaitWithoutTakingAsync(Limit));
    }

    /// <summary>Takes every permit of this window, each allowed.</summary>
    private async Task TakeTheWholeAllowanceAsync()
    {
        for (var i = 0; i < Limit; i++)
        {
            Assert.Null(await TryTakeAsync(Limit));
        }
    }

    private Task<TimeSpan?> WaitWithoutTakingAsync(int limit) =>
        WithThrottleAsync(throttle => throttle.WaitWithoutTakingAsync("test", "subject", limit, Window, CancellationToken.None));

    private Task<TimeSpan?> TryTakeAsync(int limit) =>
        WithThrottleAsync(throttle => throttle.TryTakeAsync("test", "subject", limit, Window, CancellationToken.None));

    private async Task<TimeSpan?> WithThrottleAsync(Func<Throttle, Task<TimeSpan?>> ask)
    {
        await using var scope = _site.Services.CreateAsyncScope();
        return await ask(scope.ServiceProvider.GetRequiredService<Throttle>());
    }
}
