using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Tests.Session;

/// <summary>
/// A transcript file: extra configuration, then what the client sends and what the server must answer,
/// in order. The format, one directive per line:
/// <list type="bullet">
/// <item><c># ...</c> and blank lines: comments.</item>
/// <item><c>T: toml line</c>: appended to the server's configuration (RunningServer.MinimalToml's extra part).</item>
/// <item><c>C: text</c>: the client sends <c>text</c> + CRLF. Consecutive C lines go out in one write (a pipelined batch).</item>
/// <item><c>C+: text</c>: the client sends <c>text</c> as it is, no CRLF added; escapes <c>\r \n \t \\ \xHH</c>.</item>
/// <item>In both, <c>{N*s}</c> repeats the text <c>s</c> N times (<c>{3000*x}</c>).</item>
/// <item><c>S: line</c>: the next reply line is exactly <c>line</c>; a final <c>*</c> makes it a prefix.</item>
/// <item><c>S~ regex</c>: the next reply line matches the regular expression as a whole.</item>
/// <item><c>S: &lt;closed&gt;</c>: the server closes the connection (no further line).</item>
/// </list>
/// </summary>
public sealed class Transcript
{
    private Transcript(string name, IReadOnlyList<string> toml, IReadOnlyList<Entry> entries)
    {
        Name = name;
        Toml = toml;
        Steps = entries;
    }

    public string Name { get; }

    public IReadOnlyList<string> Toml { get; }

    public IReadOnlyList<Entry> Steps { get; }

    public abstract record Entry(int Line, string Source);

    public sealed record Send(int Line, string Source, byte[] Bytes) : Entry(Line, Source);

    public sealed record Expect(int Line, string Source, string Text, bool Prefix, Regex? Pattern, bool Closed) : Entry(Line, Source)
    {
        public bool Matches(string? actual) =>
            Closed ? actual is null
            : actual is not null && (Pattern is not null ? Pattern.IsMatch(actual) : Prefix ? actual.StartsWith(Text, StringComparison.Ordinal) : actual == Text);
    }

    public static Transcript Load(string path) => Parse(Path.GetFileNameWithoutExtension(path), File.ReadAllLines(path));

    public static Transcript Parse(string name, IReadOnlyList<string> lines)
    {
        var toml = new List<string>();
        var steps = new List<Entry>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var number = i + 1;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (line.StartsWith("T:", StringComparison.Ordinal))
            {
                toml.Add(line[2..].TrimStart());
            }
            else if (line.StartsWith("C+:", StringComparison.Ordinal))
            {
                steps.Add(new Send(number, line, Unescape(Expand(Arg(line, 3)), name, number)));
            }
            else if (line.StartsWith("C:", StringComparison.Ordinal))
            {
                steps.Add(new Send(number, line, Encoding.UTF8.GetBytes(Expand(Arg(line, 2)) + "\r\n")));
            }
            else if (line.StartsWith("S~", StringComparison.Ordinal))
            {
                var pattern = new Regex("^(?:" + Arg(line, 2) + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                steps.Add(new Expect(number, line, Arg(line, 2), false, pattern, false));
            }
            else if (line.StartsWith("S:", StringComparison.Ordinal))
            {
                var text = Arg(line, 2);
                if (text == "<closed>")
                {
                    steps.Add(new Expect(number, line, text, false, null, true));
                }
                else
                {
                    var prefix = text.EndsWith('*');
                    steps.Add(new Expect(number, line, prefix ? text[..^1] : text, prefix, null, false));
                }
            }
            else
            {
                throw new FormatException($"{name}.txt:{number}: unknown directive: {line}");
            }
        }
        return new Transcript(name, toml, steps);
    }

    public override string ToString() => Name;

    /// <summary>The argument after the directive: one optional space is part of the syntax, the rest is kept.</summary>
    private static string Arg(string line, int directiveLength) =>
        line.Length > directiveLength && line[directiveLength] == ' ' ? line[(directiveLength + 1)..] : line[directiveLength..];

    private static string Expand(string text) =>
        Regex.Replace(text, @"\{(\d+)\*([^}]+)\}", m =>
        {
            var count = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return new StringBuilder().Insert(0, m.Groups[2].Value, count).ToString();
        }, RegexOptions.None, TimeSpan.FromSeconds(1));

    private static byte[] Unescape(string text, string name, int number)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
                continue;
            }
            if (++i >= text.Length)
            {
                throw new FormatException($"{name}.txt:{number}: a backslash ends the line");
            }
            switch (text[i])
            {
                case 'r': bytes.Add((byte)'\r'); break;
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case 'x' when i + 2 < text.Length:
                    bytes.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                default:
                    throw new FormatException($"{name}.txt:{number}: unknown escape \\{text[i]}");
            }
        }
        return [.. bytes];
    }
}
