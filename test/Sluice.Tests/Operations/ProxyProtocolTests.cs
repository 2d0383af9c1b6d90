using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;
using Sluice.Hosting.ProxyProtocol;
using Sluice.Queue;
using Sluice.Tests.Protocol;
using Sluice.Tests.Support;

namespace Sluice.Tests.Operations;

/// <summary>PROXY protocol v1 and v2 on a listener with <c>proxy-protocol = true</c>.</summary>
public class ProxyProtocolTests
{
    private static string Toml(string trusted) => $$"""
        [server]
        hostname = "mx.test.example"

        [server.proxy]
        trusted-networks = [{{trusted}}]
        timeout = "1s"

        [server.listener.smtp]
        bind = "127.0.0.1:0"
        proxy-protocol = true

        [server.listener.http]
        bind = "127.0.0.1:0"
        protocol = "http"

        [queue]

        type = "files"
        path = "{queue}"
        min-free-space = "1mb"
        """;

    [Test]
    public async Task A_v1_header_from_a_trusted_proxy_becomes_the_sessions_remote_address()
    {
        await using var server = await RunningServer.StartAsync(Toml("\"127.0.0.0/8\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await client.SendAsync("PROXY TCP4 203.0.113.7 192.0.2.1 40000 25\r\n");
        var (json, eml) = await SendMessageAsync(client, server);
        Assert.That(json.RemoteIp, Is.EqualTo("203.0.113.7"));
        Assert.That(eml, Does.Contain("[203.0.113.7]"));
    }

    [Test]
    public async Task A_v2_binary_header_with_ipv6_addresses_becomes_the_sessions_remote_address()
    {
        await using var server = await RunningServer.StartAsync(Toml("\"127.0.0.1/32\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        // Split in two writes: the header may arrive in pieces.
        var header = V2Header(IPAddress.Parse("2001:db8::7"), 40000, IPAddress.Parse("2001:db8::25"), 25, tlvBytes: 5);
        await client.SendRawAsync(header.AsMemory(0, 10));
        await client.SendRawAsync(header.AsMemory(10));
        var (json, eml) = await SendMessageAsync(client, server);
        Assert.That(json.RemoteIp, Is.EqualTo("2001:db8::7"));
        Assert.That(eml, Does.Contain("[IPv6:2001:db8::7]"));
    }

    [Test]
    public async Task A_spoofed_header_from_an_untrusted_peer_is_an_unknown_command_and_the_peer_keeps_its_address()
    {
        await using var server = await RunningServer.StartAsync(Toml("\"10.0.0.0/8\", \"192.168.0.0/16\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "), "an untrusted peer is greeted at once");
        await client.SendAsync("PROXY TCP4 203.0.113.7 192.0.2.1 40000 25\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("500 5.5.1"));
        var (json, eml) = await SendMessageAsync(client, server, greeted: true);
        Assert.That(json.RemoteIp, Is.EqualTo("127.0.0.1"));
        Assert.That(eml, Does.Not.Contain("203.0.113.7"));
    }

    [Test]
    public async Task A_trusted_peer_that_sends_no_header_within_the_timeout_is_closed_unanswered()
    {
        await using var server = await RunningServer.StartAsync(Toml("\"127.0.0.0/8\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        // No greeting before the header; the 1s timeout closes the connection (LineClient waits up to 10s).
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task A_trusted_peer_that_sends_smtp_instead_of_a_header_is_closed_unanswered()
    {
        await using var server = await RunningServer.StartAsync(Toml("\"127.0.0.0/8\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await client.SendAsync("EHLO client.example\r\n");
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task A_v2_header_carrying_LOCAL_keeps_the_connections_own_address()
    {
        await using var server = await RunningServer.StartAsync(Toml("\"127.0.0.0/8\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        var header = V2Header(IPAddress.Parse("198.51.100.1"), 1, IPAddress.Parse("198.51.100.2"), 2, tlvBytes: 0);
        header[12] = 0x20; // version 2, command LOCAL
        await client.SendRawAsync(header);
        var (json, _) = await SendMessageAsync(client, server);
        Assert.That(json.RemoteIp, Is.EqualTo("127.0.0.1"));
    }

    [Test]
    public async Task A_header_comes_before_the_tls_handshake_on_an_implicit_tls_listener()
    {
        using var dir = new TempDir();
        var (cert, key) = TestCertificates.SelfSigned("mx.test.example");
        var certPath = dir.File("tls.crt", cert);
        var keyPath = dir.File("tls.key", key);
        await using var server = await RunningServer.StartAsync(Toml("\"127.0.0.0/8\"") + $"""

            [server.listener.submissions]
            bind = "127.0.0.1:0"
            tls.implicit = true
            proxy-protocol = true

            [server.tls]
            certificate = "main"

            [certificate.main]
            cert = "file://{certPath}"
            private-key = "file://{keyPath}"
            """);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.EndPoint("submissions"));
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.20 192.0.2.1 40000 465\r\n"));
        await using var tls = new System.Net.Security.SslStream(stream, leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "mx.test.example",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, timeout.Token);
        using var reader = new StreamReader(tls, Encoding.ASCII);
        async Task<string?> Line() => await reader.ReadLineAsync(timeout.Token);
        async Task Send(string text) => await tls.WriteAsync(Encoding.ASCII.GetBytes(text), timeout.Token);

        Assert.That(await Line(), Does.StartWith("220 "));
        await Send("HELO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
        Assert.That(await Line(), Does.StartWith("250 "));
        Assert.That(await Line(), Does.StartWith("250 2.1.0"));
        Assert.That(await Line(), Does.StartWith("250 2.1.5"));
        Assert.That(await Line(), Does.StartWith("354 "));
        await Send("Subject: proxied tls\r\n\r\nbody\r\n.\r\n");
        var reply = await Line();
        Assert.That(reply, Does.StartWith("250 2.0.0"));
        var id = reply!.Split(' ')[^1];
        var json = EnvelopeJson.Read(await File.ReadAllBytesAsync(Path.Combine(server.Directory, "queue", id + ".json")));
        Assert.That(json.RemoteIp, Is.EqualTo("198.51.100.20"));
    }

    [Test]
    public void The_parser_reads_v1_and_v2_headers_split_across_segments()
    {
        var v1 = Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::1 2001:db8::2 1234 25\r\nEHLO x\r\n");
        var v2 = V2Header(IPAddress.Parse("192.0.2.9"), 5555, IPAddress.Parse("192.0.2.10"), 25, tlvBytes: 3).Concat("EHLO"u8.ToArray()).ToArray();
        foreach (var (bytes, client, rest) in new[] { (v1, "[2001:db8::1]:1234", "EHLO x\r\n"), (v2, "192.0.2.9:5555", "EHLO") })
        {
            for (var split = 1; split < bytes.Length; split++)
            {
                var buffer = Segments.SplitAt(bytes, split);
                Assert.That(ProxyHeaderParser.TryParse(buffer, out var header, out var consumed), Is.EqualTo(ProxyParseStatus.Done), $"split at {split}");
                Assert.That(header.Source!.ToString(), Is.EqualTo(client));
                Assert.That(Encoding.ASCII.GetString(buffer.Slice(consumed).ToArray()), Is.EqualTo(rest));
                // Every proper prefix of the header asks for more.
                var headerLength = (int)buffer.Slice(0, consumed).Length;
                Assert.That(ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, split % headerLength), out _, out _),
                    Is.EqualTo(ProxyParseStatus.NeedMoreData), $"prefix of {split % headerLength}");
            }
        }
    }

    [TestCase("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n")]
    [TestCase("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n")]
    [TestCase("PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n")]
    [TestCase("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n")]
    [TestCase("PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n")]
    [TestCase("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n")]
    [TestCase("EHLO client.example\r\n")]
    public void The_parser_refuses_malformed_v1_headers(string line) =>
        Assert.That(ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(line)), out _, out _),
            Is.EqualTo(ProxyParseStatus.Invalid));

    [Test]
    public void The_header_is_bounded()
    {
        var longV1 = Encoding.ASCII.GetBytes("PROXY UNKNOWN " + new string('x', 200));
        Assert.That(ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(longV1), out _, out _), Is.EqualTo(ProxyParseStatus.Invalid));
        var hugeV2 = V2Header(IPAddress.Loopback, 1, IPAddress.Loopback, 2, tlvBytes: 0)[..16];
        BinaryPrimitives.WriteUInt16BigEndian(hugeV2.AsSpan(14), 60000);
        Assert.That(ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(hugeV2), out _, out _), Is.EqualTo(ProxyParseStatus.Invalid));
    }

    /// <summary>A v2 PROXY header (command PROXY, TCP) with <paramref name="tlvBytes"/> bytes of padding TLV data after the addresses.</summary>
    private static byte[] V2Header(IPAddress source, int sourcePort, IPAddress destination, int destinationPort, int tlvBytes)
    {
        var v6 = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var addressLength = v6 ? 36 : 12;
        var length = addressLength + tlvBytes;
        var header = new byte[16 + length];
        new byte[] { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A }.CopyTo(header, 0);
        header[12] = 0x21;
        header[13] = (byte)(v6 ? 0x21 : 0x11);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)length);
        var a = source.GetAddressBytes();
        var b = destination.GetAddressBytes();
        a.CopyTo(header, 16);
        b.CopyTo(header, 16 + a.Length);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16 + 2 * a.Length), (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(18 + 2 * a.Length), (ushort)destinationPort);
        return header;
    }

    private static async Task<(MessageEnvelope Json, string Eml)> SendMessageAsync(LineClient client, RunningServer server, bool greeted = false)
    {
        if (!greeted)
        {
            Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        }
        await client.SendAsync("EHLO client.example\r\n");
        Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 "));
        await client.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("354 "));
        await client.SendAsync("Subject: proxied\r\n\r\nbody\r\n.\r\n");
        var reply = await client.ReadLineAsync();
        Assert.That(reply, Does.StartWith("250 2.0.0"));
        var id = reply!.Split(' ')[^1];
        var queue = Path.Combine(server.Directory, "queue");
        var json = EnvelopeJson.Read(await File.ReadAllBytesAsync(Path.Combine(queue, id + ".json")));
        var eml = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(Path.Combine(queue, id + ".eml")));
        return (json, eml);
    }
}
