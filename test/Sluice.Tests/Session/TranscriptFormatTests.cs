using System.Text;

namespace Sluice.Tests.Session;

/// <summary>The transcript format itself: directives, escapes, repetition, matching.</summary>
public class TranscriptFormatTests
{
    [Test]
    public void Directives_are_parsed_in_order()
    {
        var t = Transcript.Parse("t", [
            "# comment", "T: [session.rcpt]", "T:max-recipients = 2", "",
            "C: EHLO x", "C+: BDAT 3\\r\\n\\x00\\\\\\t", "C: NOOP {3*ab}", "S: 250 2.0.0*", "S~ 25[0-9] .*", "S: 221 Bye", "S: <closed>",
        ]);
        Assert.That(t.Toml, Is.EqualTo(new[] { "[session.rcpt]", "max-recipients = 2" }));
        Assert.That(t.Steps, Has.Count.EqualTo(7));
        Assert.That(((Transcript.Send)t.Steps[0]).Bytes, Is.EqualTo(Encoding.ASCII.GetBytes("EHLO x\r\n")));
        Assert.That(((Transcript.Send)t.Steps[1]).Bytes, Is.EqualTo(new byte[] { (byte)'B', (byte)'D', (byte)'A', (byte)'T', (byte)' ', (byte)'3', 13, 10, 0, (byte)'\\', 9 }));
        Assert.That(((Transcript.Send)t.Steps[2]).Bytes, Is.EqualTo(Encoding.ASCII.GetBytes("NOOP ababab\r\n")));
        Assert.That(t.Steps[2].Line, Is.EqualTo(7));

        var prefix = (Transcript.Expect)t.Steps[3];
        Assert.That(prefix.Matches("250 2.0.0 OK"), Is.True);
        Assert.That(prefix.Matches("250 2.1.0 OK"), Is.False);
        Assert.That(prefix.Matches(null), Is.False);
        var regex = (Transcript.Expect)t.Steps[4];
        Assert.That(regex.Matches("251 x"), Is.True);
        Assert.That(regex.Matches("x 251 x"), Is.False, "a regex matches the whole line");
        var exact = (Transcript.Expect)t.Steps[5];
        Assert.That(exact.Matches("221 Bye"), Is.True);
        Assert.That(exact.Matches("221 Bye now"), Is.False);
        var closed = (Transcript.Expect)t.Steps[6];
        Assert.That(closed.Matches(null), Is.True);
        Assert.That(closed.Matches("221 Bye"), Is.False);
    }

    [TestCase("X: what")]
    [TestCase("C+: bad \\q escape")]
    [TestCase("C+: ends with \\")]
    public void Bad_lines_are_reported_with_their_line_number(string line)
    {
        var ex = Assert.Throws<FormatException>(() => Transcript.Parse("bad", ["S: 220*", line]));
        Assert.That(ex!.Message, Does.StartWith("bad.txt:2: "));
    }
}
