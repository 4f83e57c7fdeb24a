using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Solidarity.Testing;

/// <summary>
/// A real SMTP server on a loopback port that keeps what it receives. It can be stopped and started again
/// on the same port, to play a mail server that is down for a while, or made to hang (<see cref="StallAsync"/>).
/// </summary>
public sealed class LoopbackSmtp : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _arrived = new(0);
    private CancellationTokenSource? _stop;
    private Task? _running;
    private TcpListener? _staller;
    private readonly ConcurrentQueue<TcpClient> _stalled = new();
    private readonly SemaphoreSlim _stalledArrived = new(0);

    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;

    private LoopbackSmtp(int port, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        Port = port;
        _certificate = certificate;
    }

    public int Port { get; }

    public bool IsRunning => _running is { IsCompleted: false };

    public IReadOnlyCollection<MimeMessage> Messages => _messages;

    /// <summary>The site's settings for sending to a loopback server on <paramref name="port"/> as <paramref name="from"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> SiteSettings(int port, string from) =>
    [
        new("Smtp:Host", "127.0.0.1"),
        new("Smtp:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Smtp:Security", "None"),
        new("Smtp:TimeoutSeconds", "5"),
        new("Smtp:From", from),
    ];

    /// <summary>Reserves a free port and starts listening on it.</summary>
    public static async Task<LoopbackSmtp> StartAsync()
    {
        var smtp = new LoopbackSmtp(FreePort());
        await smtp.StartListeningAsync();
        return smtp;
    }

    /// <summary>
    /// A server that offers STARTTLS with <paramref name="certificate"/>, as a Production site insists on: the site trusts
    /// it through Smtp:ServerCertificateSha256.
    /// </summary>
    public static async Task<LoopbackSmtp> StartWithTlsAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var smtp = new LoopbackSmtp(FreePort(), certificate);
        await smtp.StartListeningAsync();
        return smtp;
    }

    public async Task StartListeningAsync()
    {
        if (IsRunning)
        {
            return;
        }

        StopStalling();

        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint =>
            {
                endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port));
                if (_certificate is not null)
                {
                    endpoint.Certificate(_certificate);
                }
            })
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _stop = new CancellationTokenSource();
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
        await WaitUntilAsync(accepting: true);
    }

    /// <summary>Stops listening: connections are refused until <see cref="StartListeningAsync"/>.</summary>
    public async Task StopListeningAsync()
    {
        if (_stop is null || _running is null)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _running = null;
        await WaitUntilAsync(accepting: false);
    }

    /// <summary>
    /// Hangs, as a mail server whose disk or network has stopped does: connections are accepted on the same port and then
    /// get no greeting, so a client waits until its own timeout. <see cref="StartListeningAsync"/> answers again, dropping
    /// the connections held.
    /// </summary>
    public async Task StallAsync()
    {
        await StopListeningAsync();
        _staller = new TcpListener(IPAddress.Loopback, Port);
        _staller.Start();
        _ = HoldAsync(_staller);
    }

    /// <summary>Waits for a client to connect to the stalled server, up to <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForStalledConnectionAsync(TimeSpan timeout) => _stalledArrived.WaitAsync(timeout);

    /// <summary>Refuses every message to <paramref name="address"/> after its data, as a server refuses a mailbox it has not got (550).</summary>
    public void Refuse(string address) => _refused[address] = true;

    public void Clear()
    {
        _refused.Clear();
        while (_messages.TryDequeue(out _))
        {
        }

        while (_arrived.CurrentCount > 0)
        {
            _arrived.Wait(0);
        }
    }

    /// <summary>Waits for the next message to arrive, up to <paramref name="timeout"/>.</summary>
    public async Task<MimeMessage> WaitForMessageAsync(TimeSpan timeout)
    {
        var before = _messages.Count;
        if (!await _arrived.WaitAsync(timeout))
        {
            throw new TimeoutException($"No email arrived on port {Port} within {timeout} ({before} received before).");
        }

        return _messages.Last();
    }

    public async ValueTask DisposeAsync()
    {
        StopStalling();
        await StopListeningAsync();
        _stop?.Dispose();
        _arrived.Dispose();
        _stalledArrived.Dispose();
    }

    private async Task HoldAsync(TcpListener listener)
    {
        try
        {
            while (true)
            {
                _stalled.Enqueue(await listener.AcceptTcpClientAsync());
                _stalledArrived.Release();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Stopped by StopStalling.
        }
    }

    private void StopStalling()
    {
        _staller?.Stop();
        _staller = null;
        while (_stalled.TryDequeue(out var client))
        {
            client.Dispose();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task WaitUntilAsync(bool accepting)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                if (accepting)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                if (!accepting)
                {
                    return;
                }
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"The loopback SMTP server on port {Port} did not {(accepting ? "start" : "stop")}.");
    }

    private void Received(MimeMessage message)
    {
        _messages.Enqueue(message);
        _arrived.Release();
    }

    private sealed class Store(LoopbackSmtp owner) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream();
            foreach (var segment in buffer)
            {
                stream.Write(segment.Span);
            }

            if (transaction.To.Any(to => owner._refused.ContainsKey($"{to.User}@{to.Host}")))
            {
                return new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.1.1 No such user here");
            }

            stream.Position = 0;
            owner.Received(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
