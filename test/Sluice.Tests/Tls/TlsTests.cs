using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Sluice.Tests.Support;
using Sluice.Tls;

namespace Sluice.Tests.Tls;

/// <summary>STARTTLS, implicit TLS and certificate rotation against the real server, with a certificate made at run time.</summary>
public class TlsTests
{
    private static string TlsToml(TempDir dir, string host = "mx.test.example")
    {
        var (cert, key) = TestCertificates.SelfSigned(host);
        dir.File("tls.crt", cert);
        dir.File("tls.key", key);
        var certPath = Path.Combine(dir.Path, "tls.crt");
        var keyPath = Path.Combine(dir.Path, "tls.key");
        return RunningServer.MinimalToml($"""
            [server.listener.submissions]
            bind = "127.0.0.1:0"
            tls.implicit = true

            [server.tls]
            certificate = "main"

            [certificate.main]
            cert = "file://{certPath}"
            private-key = "file://{keyPath}"
            """);
    }

    [Test]
    public async Task MailKit_sends_over_STARTTLS_and_the_Received_header_names_ESMTPS_with_version_and_cipher()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(TlsToml(dir));
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        var endPoint = server.EndPoint("smtp");
        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, SecureSocketOptions.StartTls);
        Assert.That(client.IsSecure, Is.True);
        await client.SendAsync(Message("over starttls"));
        await client.DisconnectAsync(true);

        var eml = await ReadSingleEmlAsync(server);
        Assert.That(eml, Does.Match(@"with ESMTPS \(TLSv1\.[23] cipher TLS_[A-Z0-9_]+\) id "));
        Assert.That(eml, Does.Contain("over starttls"));
    }

    [Test]
    public async Task MailKit_sends_over_implicit_TLS()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(TlsToml(dir));
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        var endPoint = server.EndPoint("submissions");
        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, SecureSocketOptions.SslOnConnect);
        Assert.That(client.IsSecure, Is.True);
        Assert.That(client.Capabilities.HasFlag(SmtpCapabilities.StartTLS), Is.False);
        await client.SendAsync(Message("over implicit tls"));
        await client.DisconnectAsync(true);
        Assert.That(await ReadSingleEmlAsync(server), Does.Contain("with ESMTPS ("));
    }

    [Test]
    public async Task STARTTLS_without_a_certificate_is_502_5_7_0_and_inside_TLS_504_5_7_4()
    {
        await using (var plain = await RunningServer.StartAsync(RunningServer.MinimalToml()))
        {
            await using var client = await LineClient.ConnectAsync(plain.EndPoint("smtp"));
            await client.ReadLineAsync();
            await client.SendAsync("EHLO c.example\r\n");
            Assert.That(await client.ReadReplyAsync(), Has.None.Contains("STARTTLS"));
            await client.SendAsync("STARTTLS\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("502 5.7.0"));
        }

        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(TlsToml(dir));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint("smtp"));
        var ssl = await StartTlsAsync(tcp);
        await WriteAsync(ssl, "EHLO c.example\r\n");
        var ehlo = await ReadReplyAsync(ssl);
        Assert.That(ehlo, Has.None.Contains("STARTTLS"));
        Assert.That(ehlo, Has.Some.Contains("REQUIRETLS"), "REQUIRETLS is offered inside TLS");
        await WriteAsync(ssl, "STARTTLS\r\n");
        Assert.That((await ReadReplyAsync(ssl))[0], Does.StartWith("504 5.7.4"));
    }

    [Test]
    public async Task REQUIRETLS_is_refused_in_plain_text_and_marked_in_the_envelope_inside_TLS()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(TlsToml(dir));
        await using (var plain = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            await plain.ReadLineAsync();
            await plain.SendAsync("EHLO c.example\r\n");
            Assert.That(await plain.ReadReplyAsync(), Has.None.Contains("REQUIRETLS"));
            await plain.SendAsync("MAIL FROM:<a@b.example> REQUIRETLS\r\n");
            Assert.That(await plain.ReadLineAsync(), Does.StartWith("555 5.5.4"));
        }

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint("smtp"));
        var ssl = await StartTlsAsync(tcp);
        await WriteAsync(ssl, "EHLO c.example\r\n");
        await ReadReplyAsync(ssl);
        await WriteAsync(ssl, "MAIL FROM:<a@b.example> REQUIRETLS\r\n");
        Assert.That((await ReadReplyAsync(ssl))[0], Does.StartWith("250 2.1.0"));
        await WriteAsync(ssl, "RCPT TO:<c@d.example>\r\n");
        Assert.That((await ReadReplyAsync(ssl))[0], Does.StartWith("250 2.1.5"));
        await WriteAsync(ssl, "DATA\r\n");
        Assert.That((await ReadReplyAsync(ssl))[0], Does.StartWith("354 "));
        await WriteAsync(ssl, "Subject: requiretls\r\n\r\nbody\r\n.\r\n");
        Assert.That((await ReadReplyAsync(ssl))[0], Does.StartWith("250 2.0.0"));

        var json = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(server.Directory, "queue"), "*.json").Single());
        Assert.That(json, Does.Contain("\"requiretls\": true"));
    }

    [Test]
    public async Task After_STARTTLS_the_session_starts_over_and_EHLO_is_required_again()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(TlsToml(dir));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint("smtp"));
        var ssl = await StartTlsAsync(tcp);
        await WriteAsync(ssl, "MAIL FROM:<a@b.example>\r\n");
        Assert.That((await ReadReplyAsync(ssl))[0], Does.StartWith("503 5.5.1"));
    }

    [Test]
    public async Task Commands_pipelined_behind_STARTTLS_are_never_run_inside_TLS()
    {
        // CVE-2011-0411: "STARTTLS\r\nRSET\r\n" in one packet. The plain-text RSET must not be taken
        // for a command of the TLS session: STARTTLS is refused and the rest runs as plain text.
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(TlsToml(dir));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await client.ReadLineAsync();
        await client.SendAsync("EHLO c.example\r\n");
        Assert.That(await client.ReadReplyAsync(), Has.Some.Contains("STARTTLS"));
        await client.SendAsync("STARTTLS\r\nNOOP\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("503 5.5.1"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"), "the NOOP ran in plain text, after the refusal");
    }

    [Test]
    public async Task A_rotated_certificate_file_is_used_for_new_connections_without_a_restart()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(TlsToml(dir, "first.example"));
        Assert.That(await PeerCertificateSubjectAsync(server), Is.EqualTo("CN=first.example"));

        var (cert, key) = TestCertificates.SelfSigned("second.example");
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "tls.key"), key);
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "tls.crt"), cert);
        Assert.That(server.App.Services.GetRequiredService<CertificateStore>().ReloadIfChanged(), Is.EqualTo(1));
        Assert.That(await PeerCertificateSubjectAsync(server), Is.EqualTo("CN=second.example"));
        Assert.That(server.App.Services.GetRequiredService<CertificateStore>().ReloadIfChanged(), Is.Zero, "unchanged files are not reloaded");
    }

    [Test]
    public async Task Openssl_s_client_negotiates_STARTTLS()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(TlsToml(dir));
        var endPoint = server.EndPoint("smtp");
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "s_client", "-starttls", "smtp", "-connect", $"{endPoint}", "-crlf", "-quiet" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl not installed");
        await process.StandardInput.WriteAsync("EHLO openssl.example\nQUIT\n");
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.That(output, Does.Contain("250-mx.test.example"));
        Assert.That(output, Does.Contain("221 2.0.0"));
    }

    private static MimeMessage Message(string text)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("sender@client.example"));
        message.To.Add(MailboxAddress.Parse("rcpt@mx.test.example"));
        message.Subject = "tls";
        message.Body = new TextPart("plain") { Text = text };
        return message;
    }

    private static async Task<string> ReadSingleEmlAsync(RunningServer server)
    {
        var files = Directory.GetFiles(Path.Combine(server.Directory, "queue"), "*.eml");
        Assert.That(files, Has.Length.EqualTo(1));
        return await File.ReadAllTextAsync(files[0]);
    }

    private static async Task<string> PeerCertificateSubjectAsync(RunningServer server)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint("submissions"));
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("mx.test.example");
        return ssl.RemoteCertificate!.Subject;
    }

    private static async Task<SslStream> StartTlsAsync(TcpClient tcp)
    {
        var stream = tcp.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.That(await reader.ReadLineAsync(timeout.Token), Does.StartWith("220 "));
        await stream.WriteAsync("EHLO c.example\r\n"u8.ToArray(), timeout.Token);
        for (var line = await reader.ReadLineAsync(timeout.Token); line is not null && line[3] == '-'; line = await reader.ReadLineAsync(timeout.Token))
        {
        }
        await stream.WriteAsync("STARTTLS\r\n"u8.ToArray(), timeout.Token);
        Assert.That(await reader.ReadLineAsync(timeout.Token), Does.StartWith("220 2.0.0"));
        var ssl = new SslStream(stream, false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("mx.test.example");
        return ssl;
    }

    private static async Task WriteAsync(SslStream ssl, string text) => await ssl.WriteAsync(Encoding.ASCII.GetBytes(text));

    private static async Task<List<string>> ReadReplyAsync(SslStream ssl)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 100_000; i++)
        {
            if (await ssl.ReadAsync(one, timeout.Token) == 0)
            {
                break;
            }
            if (one[0] == '\n')
            {
                var text = line.ToString().TrimEnd('\r');
                lines.Add(text);
                line.Clear();
                if (text.Length < 4 || text[3] != '-')
                {
                    break;
                }
            }
            else
            {
                line.Append((char)one[0]);
            }
        }
        return lines;
    }
}
