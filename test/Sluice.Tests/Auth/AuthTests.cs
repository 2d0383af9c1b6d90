using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MimeKit;
using Sluice.Auth;
using Sluice.Tests.Support;

namespace Sluice.Tests.Auth;

/// <summary>SASL over a real socket: MailKit for every mechanism, raw lines for the hostile cases.</summary>
public class AuthTests
{
    private static readonly string s_janeHash = ShaCrypt.Hash("jane-password", "s4ltS4lt", sha512: true);

    private static (string Toml, ECDsa Key) Config(TempDir dir, string auth = "", bool tls = true)
    {
        var (cert, key) = TestCertificates.SelfSigned("mx.test.example");
        dir.File("tls.crt", cert);
        dir.File("tls.key", key);
        var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        dir.File("oauth.pem", signing.ExportSubjectPublicKeyInfoPem());
        var tlsPart = tls ? $"""
            [server.tls]
            certificate = "main"
            [certificate.main]
            cert = "file://{Path.Combine(dir.Path, "tls.crt")}"
            private-key = "file://{Path.Combine(dir.Path, "tls.key")}"
            """ : "";
        return (RunningServer.MinimalToml($$"""
            {{tlsPart}}

            [directory."local"]
            type = "memory"
            domains = ["example.org"]
            [[directory."local".users]]
            name = "jane"
            secret = "{{s_janeHash}}"
            email = ["jane@example.org"]
            email-list = ["info@example.org"]
            [[directory."local".users]]
            name = "bob"
            secret = "bob-plain"
            email = "bob@example.org"

            [session.auth]
            mechanisms = ["plain", "login", "oauthbearer", "xoauth2"]
            directory = "local"
            errors.wait = "0s"
            oauth.issuer = "https://issuer.test"
            oauth.audience = "sluice"
            oauth.key = "file://{{Path.Combine(dir.Path, "oauth.pem")}}"
            {{auth}}
            """), signing);
    }

    [TestCase("PLAIN")]
    [TestCase("LOGIN")]
    public async Task A_directory_user_authenticates_with_a_password_over_STARTTLS_and_sends(string mechanism)
    {
        using var dir = new TempDir();
        var (toml, key) = Config(dir);
        using var _ = key;
        await using var server = await RunningServer.StartAsync(toml);
        using var client = await ConnectAsync(server);
        SaslMechanism sasl = mechanism == "PLAIN"
            ? new SaslMechanismPlain("jane", "jane-password")
            : new SaslMechanismLogin("jane", "jane-password");
        await client.AuthenticateAsync(sasl);
        await client.SendAsync(Message("jane@example.org"));
        await client.DisconnectAsync(true);

        var json = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(server.Directory, "queue"), "*.json").Single());
        Assert.That(json, Does.Contain("\"authenticated-as\": \"jane\""));
        var eml = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(server.Directory, "queue"), "*.eml").Single());
        Assert.That(eml, Does.Contain("with ESMTPSA ("));
    }

    [Test]
    public async Task Wrong_passwords_are_535_5_7_8()
    {
        using var dir = new TempDir();
        var (toml, key) = Config(dir);
        using var _ = key;
        await using var server = await RunningServer.StartAsync(toml);
        using var client = await ConnectAsync(server);
        var error = Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(new SaslMechanismPlain("jane", "nope")));
        Assert.That(error!.Message, Does.Contain("invalid"));
        Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(new SaslMechanismPlain("nobody", "jane-password")));
        await client.AuthenticateAsync(new SaslMechanismPlain("bob", "bob-plain"));
    }

    [TestCase("OAUTHBEARER")]
    [TestCase("XOAUTH2")]
    public async Task A_signed_token_authenticates_and_a_bad_one_is_refused(string mechanism)
    {
        using var dir = new TempDir();
        var (toml, key) = Config(dir, "errors.total = 10");
        using var _ = key;
        await using var server = await RunningServer.StartAsync(toml);
        using var client = await ConnectAsync(server);

        var expired = Token(key, "jane@example.org", DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-1));
        Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(Sasl(mechanism, "jane@example.org", expired)));
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Token(otherKey, "jane@example.org", DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddHours(1));
        Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(Sasl(mechanism, "jane@example.org", forged)));
        var wrongAudience = Token(key, "jane@example.org", DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddHours(1), audience: "other");
        Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(Sasl(mechanism, "jane@example.org", wrongAudience)));

        var good = Token(key, "jane@example.org", DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddHours(1));
        await client.AuthenticateAsync(Sasl(mechanism, "jane@example.org", good));
        await client.SendAsync(Message("info@example.org"));
    }

    [Test]
    public async Task AUTH_is_not_offered_before_TLS_unless_allow_plain_text()
    {
        using var dir = new TempDir();
        var (toml, key) = Config(dir);
        using var _ = key;
        await using (var server = await RunningServer.StartAsync(toml))
        {
            await using var raw = await LineClient.ConnectAsync(server.EndPoint("smtp"));
            await raw.ReadLineAsync();
            await raw.SendAsync("EHLO c.example\r\n");
            Assert.That(await raw.ReadReplyAsync(), Has.None.Contains("AUTH"));
            await raw.SendAsync("AUTH PLAIN " + Base64("\0jane\0jane-password") + "\r\n");
            Assert.That(await raw.ReadLineAsync(), Does.StartWith("503 5.5.1"));
        }

        await using var plain = await RunningServer.StartAsync(Config(dir, "allow-plain-text = true", tls: false).Toml);
        await using var client = await LineClient.ConnectAsync(plain.EndPoint("smtp"));
        await client.ReadLineAsync();
        await client.SendAsync("EHLO c.example\r\n");
        Assert.That(await client.ReadReplyAsync(), Has.Some.EqualTo("250-AUTH PLAIN LOGIN OAUTHBEARER XOAUTH2").Or.Some.EqualTo("250 AUTH PLAIN LOGIN OAUTHBEARER XOAUTH2"));
        await client.SendAsync("AUTH PLAIN " + Base64("\0jane\0jane-password") + "\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("235 2.7.0"));
        await client.SendAsync("AUTH PLAIN " + Base64("\0jane\0jane-password") + "\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("503 5.5.1"), "AUTH twice");
    }

    [Test]
    public async Task Hostile_exchanges_cancel_bad_base64_unknown_mechanism_and_too_many_failures()
    {
        using var dir = new TempDir();
        var (toml, key) = Config(dir, "allow-plain-text = true\nerrors.total = 3", tls: false);
        using var _ = key;
        await using var server = await RunningServer.StartAsync(toml);
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await client.ReadLineAsync();
        await client.SendAsync("EHLO c.example\r\n");
        await client.ReadReplyAsync();

        await client.SendAsync("AUTH CRAM-MD5\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("504 5.5.4"));

        await client.SendAsync("AUTH LOGIN\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("334 VXNlcm5hbWU6"));
        await client.SendAsync("*\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("501 5.7.0"));

        await client.SendAsync("AUTH PLAIN\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("334 "));
        await client.SendAsync("!!!not base64!!!\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("501 5.5.2"));            // failure 1

        await client.SendAsync("AUTH PLAIN " + Base64("\0jane\0wrong") + "\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("535 5.7.8"));            // failure 2

        await client.SendAsync("AUTH PLAIN " + Base64("no separators") + "\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("455 4.3.0"));            // failure 3: closed
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Require_refuses_MAIL_before_AUTH_and_must_match_sender_holds_the_user_to_its_addresses()
    {
        using var dir = new TempDir();
        var (toml, key) = Config(dir, "allow-plain-text = true\nrequire = true", tls: false);
        using var _ = key;
        await using var server = await RunningServer.StartAsync(toml);
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await client.ReadLineAsync();
        await client.SendAsync("EHLO c.example\r\n");
        await client.ReadReplyAsync();
        await client.SendAsync("MAIL FROM:<jane@example.org>\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("503 5.5.1"));

        await client.SendAsync("AUTH PLAIN " + Base64("\0jane\0jane-password") + "\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("235 "));
        await client.SendAsync("MAIL FROM:<bob@example.org>\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("501 5.5.4"));
        await client.SendAsync("MAIL FROM:<info@example.org> AUTH=<>\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.0"), "an email-list address is hers too");
        await client.SendAsync("RSET\r\nMAIL FROM:<JANE@EXAMPLE.ORG>\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.0"));
    }

    [Test]
    public async Task Swaks_sends_over_STARTTLS_with_AUTH_PLAIN()
    {
        using var dir = new TempDir();
        var (toml, key) = Config(dir);
        using var _ = key;
        await using var server = await RunningServer.StartAsync(toml);
        var start = new System.Diagnostics.ProcessStartInfo("swaks") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--to", "someone@elsewhere.example", "--from", "jane@example.org", "--server", server.EndPoint("smtp").ToString(),
                     "--tls", "--auth", "PLAIN", "--auth-user", "jane", "--auth-password", "jane-password", "--timeout", "20" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("swaks is not installed (apt-get install swaks)");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.That(process.ExitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("<~  235 2.7.0"));
        Assert.That(output, Does.Match(@"<~  250 2\.0\.0 .*"));
    }

    private static async Task<SmtpClient> ConnectAsync(RunningServer server)
    {
        var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        var endPoint = server.EndPoint("smtp");
        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, SecureSocketOptions.StartTls);
        return client;
    }

    private static SaslMechanism Sasl(string mechanism, string user, string token) => mechanism == "XOAUTH2"
        ? new SaslMechanismOAuth2(user, token)
        : new SaslMechanismOAuthBearer(user, token);

    private static string Token(ECDsa key, string email, DateTime notBefore, DateTime expires, string audience = "sluice") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.test",
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("email", email), new Claim("sub", "user-123")]),
            NotBefore = notBefore,
            IssuedAt = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256),
        });

    private static MimeMessage Message(string from)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse("someone@elsewhere.example"));
        message.Subject = "authenticated";
        message.Body = new TextPart("plain") { Text = "hello" };
        return message;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
