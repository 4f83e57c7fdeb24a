using Solidarity.Web.Infrastructure.Throttling;

namespace Solidarity.Tests.Privacy;

/// <summary>
/// Asking for a password reset or a statement of giving answers at the same moment whether or not the address has an
/// account or gave: the answer waits out <see cref="SteadyAnswers.Floor"/> from when the work began. Measured on a clock
/// the test moves by hand, so nothing here waits on the wall clock.
/// </summary>
public sealed class SteadyAnswersTests
{
    [Fact]
    public async Task Work_that_finds_nothing_answers_no_sooner_than_the_floor()
    {
        var clock = new HandClock();

        var answer = SteadyAnswers.NoSoonerThanFloorAsync(() => Task.FromResult(true), clock, CancellationToken.None);

        Assert.Equal([SteadyAnswers.Floor], clock.Waits);
        Assert.False(answer.IsCompleted);
        clock.Fire();
        Assert.True(await answer);
    }

    [Fact]
    public async Task Work_that_writes_and_enqueues_waits_only_what_is_left_of_the_floor()
    {
        var clock = new HandClock();

        var answer = SteadyAnswers.NoSoonerThanFloorAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(150));
                return Task.FromResult(42);
            },
            clock,
            CancellationToken.None);

        Assert.Equal([SteadyAnswers.Floor - TimeSpan.FromMilliseconds(150)], clock.Waits);
        clock.Fire();
        Assert.Equal(42, await answer);
    }

    [Fact]
    public async Task Work_slower_than_the_floor_answers_at_once()
    {
        var clock = new HandClock();

        var answer = await SteadyAnswers.NoSoonerThanFloorAsync(
            () =>
            {
                clock.Advance(SteadyAnswers.Floor + TimeSpan.FromMilliseconds(1));
                return Task.FromResult("done");
            },
            clock,
            CancellationToken.None);

        Assert.Equal("done", answer);
        Assert.Empty(clock.Waits);
    }

    /// <summary>A clock whose time moves only when told, and whose timers fire only when told.</summary>
    private sealed class HandClock : TimeProvider
    {
        private readonly List<(TimerCallback Callback, object? State)> _timers = [];
        private long _ticks;

        public List<TimeSpan> Waits { get; } = [];

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;

        public void Fire()
        {
            foreach (var (callback, state) in _timers)
            {
                callback(state);
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Waits.Add(dueTime);
            _timers.Add((callback, state));
            return new Unstarted();
        }

        private sealed class Unstarted : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
