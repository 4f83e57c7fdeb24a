using System.Net;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Failed sign-ins slow the one who fails, not the account's owner. Instead of Identity's lock, which anyone who knows
/// an address could trigger to keep an officer out during a dispute, each failure is counted three ways, in
/// PostgreSQL so that every web process counts it: for the account from this client, for this client on any
/// account, and for the account from anywhere. Past a few free attempts, each counter asks for a wait that doubles
/// with every further failure (up to 15 minutes) since the last one; while any asks, even the right password is
/// refused, with the same words as a wrong one, so an attacker learns nothing. The owner, from their own client,
/// meets only the account-wide counter, which allows many more failures before it slows anyone.
/// </summary>
internal sealed class SignInThrottle(Throttle throttle, TimeProvider time)
{
    public const string Scope = "sign-in";

    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(15);

    /// <summary>Failures allowed before each counter asks for a wait: account from this client, this client, the account.</summary>
    public const int FreeForAccountFromClient = 3;
    public const int FreeForClient = 10;
    public const int FreeForAccount = 20;

    /// <summary>How long the caller must wait before a password is checked; zero when it may be checked now.</summary>
    public async Task<TimeSpan> WaitAsync(string email, IPAddress? client, CancellationToken cancellationToken)
    {
        var longest = TimeSpan.Zero;
        foreach (var (subject, free) in Counters(email, client))
        {
            var state = await throttle.PeekAsync(Scope, subject, Window, cancellationToken);
            var wait = Remaining(state, free);
            longest = wait > longest ? wait : longest;
        }

        return longest;
    }

    public async Task FailedAsync(string email, IPAddress? client, CancellationToken cancellationToken)
    {
        foreach (var (subject, _) in Counters(email, client))
        {
            await throttle.HitAsync(Scope, subject, Window, cancellationToken);
        }
    }

    /// <summary>
    /// For a passkey sign-in, which names no account until it has succeeded: only this client's counter, the one a
    /// password sign-in from the same client also meets.
    /// </summary>
    public async Task<TimeSpan> WaitForClientAsync(IPAddress? client, CancellationToken cancellationToken) =>
        Remaining(await throttle.PeekAsync(Scope, throttle.ClientSubject(client), Window, cancellationToken), FreeForClient);

    public async Task FailedFromClientAsync(IPAddress? client, CancellationToken cancellationToken) =>
        await throttle.HitAsync(Scope, throttle.ClientSubject(client), Window, cancellationToken);

    /// <summary>The wait after <paramref name="failures"/> failures of which <paramref name="free"/> ask for none.</summary>
    public static TimeSpan WaitAfter(int failures, int free) =>
        failures < free ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(Math.Pow(2, failures - free), LongestWait.TotalSeconds));

    private TimeSpan Remaining(ThrottleState state, int free)
    {
        if (state.LastAt is not { } last)
        {
            return TimeSpan.Zero;
        }

        var until = last + WaitAfter(state.Count, free);
        var now = time.GetUtcNow();
        return until > now ? until - now : TimeSpan.Zero;
    }

    private IEnumerable<(string Subject, int Free)> Counters(string email, IPAddress? client)
    {
        var account = throttle.TextSubject("account", email);
        var from = throttle.ClientSubject(client);
        yield return ($"{account}|{from}", FreeForAccountFromClient);
        yield return (from, FreeForClient);
        yield return (account, FreeForAccount);
    }
}
