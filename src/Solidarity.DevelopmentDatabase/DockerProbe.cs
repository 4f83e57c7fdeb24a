using System.Net.Sockets;

namespace Solidarity.DevelopmentDatabase;

/// <summary>Whether a Docker engine answers, without waiting on Testcontainers' own long time-outs.</summary>
public static class DockerProbe
{
    public static async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host) && !host.StartsWith("unix://", StringComparison.Ordinal))
        {
            // A remote engine: let Testcontainers find out.
            return true;
        }

        var socketPath = string.IsNullOrEmpty(host) ? "/var/run/docker.sock" : host["unix://".Length..];
        if (!File.Exists(socketPath))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
