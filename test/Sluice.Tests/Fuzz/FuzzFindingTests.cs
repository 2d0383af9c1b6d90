using System.Buffers;
using System.Text;
using Sluice.Configuration.Toml;
using Sluice.Protocol;
using Sluice.Tests.Configuration;
using Sluice.Tests.Protocol;
using Sluice.Tests.Support;

namespace Sluice.Tests.Fuzz;

/// <summary>
/// What the bugs found by fuzz/ now do, asserted directly (their crash inputs are replayed by
/// <see cref="FuzzRegressionTests"/> too).
/// </summary>
public class FuzzFindingTests
{
    [TestCase("a = \"\\", 1)]
    [TestCase("[server]\nhostname = \"mx\\u12", 2)]
    [TestCase("a = \"\"\"\\", 1)]
    public void A_file_ending_inside_an_escape_sequence_is_a_syntax_error_on_its_last_line(string toml, int line)
    {
        using var dir = new TempDir();
        var (_, errors, path) = ConfigHelper.Read(dir, toml);
        Assert.That(errors.Select(e => e.ToString()),
            Is.EqualTo(new[] { $"{path}:{line}: (syntax): the file ends inside an escape sequence of a string" }));
    }

    [Test]
    public void The_toml_reader_reports_the_escape_error_without_throwing()
    {
        var errors = new List<Sluice.Configuration.ConfigError>();
        var root = TomlDocumentReader.Read("a = \"\\u", "inline", errors);
        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.Count.EqualTo(1));
            Assert.That(root.Members, Is.Empty);
        });
    }

    [Test]
    public void A_too_big_message_writes_its_first_limit_octets_whatever_the_split()
    {
        byte[] data = Encoding.ASCII.GetBytes("Received: a\r\nReceived: b\r\n\r\nbody line\r\n.\r\n");
        const long limit = 20; // inside the second Received field
        for (int split = 0; split <= data.Length; split++)
        {
            var reader = new SmtpDataReader(limit);
            var output = new ArrayBufferWriter<byte>();
            var input = new SequenceReader<byte>(Segments.SplitAt(data, split));
            var status = reader.Read(ref input, output);
            Assert.Multiple(() =>
            {
                Assert.That(status, Is.EqualTo(DataReadStatus.Completed), $"split {split}");
                Assert.That(reader.TooBig, Is.True, $"split {split}");
                Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("Received: a\r\nReceive"), $"split {split}");
                Assert.That(reader.ReceivedHeaderCount, Is.EqualTo(1), $"split {split}");
            });
        }
    }
}
