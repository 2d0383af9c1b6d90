using System.Text;
using Sluice.Tests.Support;

namespace Sluice.Tests.Hostile;

/// <summary>
/// A client trying to smuggle a header (or any control character) into the stored trace headers
/// through the HELO/EHLO name or the MAIL/RCPT addresses: NUL, bare CR, bare LF, ESC, DEL and the
/// other C0 controls, also inside a quoted local part or as a quoted pair. Each such command is
/// refused as a whole, and the message the session then sends with clean values is stored with a
/// header section that holds only printable text, CRLF and folding white space.
/// </summary>
public sealed class HeaderInjectionTests
{
    /// <summary>Every C0 control except TAB (white space, not a line end) and the CR LF that ends the line, and DEL.</summary>
    private static IEnumerable<char> Controls() =>
        Enumerable.Range(0, 32).Where(c => c is not '\t').Select(c => (char)c).Append('\x7f');

    // {0} is where the control character goes. Each line is valid but for it, so the refusal is the control's.
    [TestCase("EHLO client{0}x.example")]
    [TestCase("HELO client{0}x.example")]
    [TestCase("MAIL FROM:<a{0}b@b.example>")]
    [TestCase("MAIL FROM:<\"a{0}X-Injected: yes\"@b.example>")]
    [TestCase("MAIL FROM:<\"a\\{0}b\"@b.example>")]
    [TestCase("MAIL FROM:<a@b{0}x.example>")]
    [TestCase("RCPT TO:<c{0}d@d.example>")]
    [TestCase("RCPT TO:<\"c{0}X-Injected: yes\"@d.example>")]
    [TestCase("RCPT TO:<\"c\\{0}d\"@d.example>")]
    [TestCase("RCPT TO:<c@d{0}x.example>")]
    public async Task A_control_character_in_a_name_or_address_is_refused_and_never_reaches_the_stored_headers(string template)
    {
        // A refused recipient is counted and waited for (errors.wait); no wait here, and room for every control.
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml("[session.rcpt]\nerrors.wait = \"0s\"\nerrors.total = 100"));
        foreach (var control in Controls())
        {
            var command = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, control);
            await RefusedThenCleanAsync(server, command, $"0x{(int)control:X2}");
        }
    }

    /// <summary>One session: the hostile command, then a clean transaction whose stored header section is checked.</summary>
    private static async Task RefusedThenCleanAsync(RunningServer server, string command, string control)
    {
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));

        // The hostile command comes at the stage where it would be used: a greeting, or inside a transaction.
        var verb = command[..4];
        if (verb is "MAIL" or "RCPT")
        {
            await client.SendAsync("EHLO client.example\r\n");
            Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 "));
        }

        if (verb == "RCPT")
        {
            await client.SendAsync("MAIL FROM:<a@b.example>\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.0"));
        }

        await client.SendAsync(command + "\r\n");
        var refusal = await client.ReadLineAsync();
        Assert.That(refusal, Does.Match("^50[01] 5\\.(5\\.2|1\\.[378]) "), $"{control}: refused as a syntax error or a bad address");

        // Nothing of the hostile line was taken as a second command either: the session is where it was.
        await client.SendAsync("NOOP\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"), control);

        // The clean transaction that follows is stored with clean headers.
        if (verb is "EHLO" or "HELO")
        {
            await client.SendAsync("EHLO client.example\r\n");
            Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 "));
        }

        if (verb != "RCPT")
        {
            await client.SendAsync("MAIL FROM:<a@b.example>\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.0"));
        }

        await client.SendAsync("RCPT TO:<c@d.example>\r\nDATA\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("354 "));
        await client.SendAsync("Subject: clean\r\n\r\nbody\r\n.\r\n");
        var reply = await client.ReadLineAsync();
        Assert.That(reply, Does.StartWith("250 2.0.0"));
        var id = reply!.Split(' ')[^1];

        var stored = await File.ReadAllBytesAsync(Path.Combine(server.Directory, "queue", id + ".eml"));
        var headers = Encoding.Latin1.GetString(stored).Split("\r\n\r\n", 2)[0];
        Assert.That(headers, Does.Not.Contain("X-Injected"), control);
        Assert.That(headers, Does.Contain("Received: from client.example ("));
        Assert.That(headers, Does.Contain("Return-Path: <a@b.example>"));
        var stray = headers.Replace("\r\n", "", StringComparison.Ordinal).Where(ch => ch is < ' ' and not '\t' or '\x7f').ToList();
        Assert.That(stray, Is.Empty, $"{control}: control characters in the stored header section");
    }
}
