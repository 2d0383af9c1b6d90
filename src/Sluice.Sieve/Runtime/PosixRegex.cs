using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Sieve.Runtime;

/// <summary>
/// POSIX extended regular expressions (regex draft §3, IEEE 1003.2 ERE) translated to .NET's engine:
/// bracket expressions with [:class:] names, bounds, groups, alternation, anchors, back-references.
/// What ERE does not have is refused rather than passed on: lazy or possessive quantifiers, (?...)
/// groups (look-arounds, options), .NET escapes such as \d. Every match runs with a timeout.
/// </summary>
internal static class PosixRegex
{
    private static readonly ConcurrentDictionary<(string, bool, long), Regex> Cache = new();

    private static readonly Dictionary<string, string> Classes = new(StringComparer.Ordinal)
    {
        ["alpha"] = "a-zA-Z",
        ["digit"] = "0-9",
        ["alnum"] = "a-zA-Z0-9",
        ["upper"] = "A-Z",
        ["lower"] = "a-z",
        ["space"] = " \\t\\n\\r\\f\\v",
        ["blank"] = " \\t",
        ["punct"] = "!-/:-@\\[-`{-~",
        ["print"] = " -~",
        ["graph"] = "!-~",
        ["cntrl"] = "\\x00-\\x1f\\x7f",
        ["xdigit"] = "0-9A-Fa-f",
    };

    /// <summary>The .NET pattern for an ERE, or null with the reason.</summary>
    public static string? Translate(string pattern, out string? error)
    {
        error = null;
        var sb = new StringBuilder(pattern.Length + 8);
        int groups = 0;
        int open = 0;
        bool canRepeat = false;   // something before that a quantifier may apply to
        bool lastWasQuantifier = false;
        int i = 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            switch (c)
            {
                case '\\':
                    if (i + 1 >= pattern.Length)
                    {
                        error = "trailing backslash";
                        return null;
                    }
                    char e = pattern[i + 1];
                    i += 2;
                    if (e is >= '1' and <= '9')
                    {
                        if (e - '0' > groups)
                        {
                            error = $"invalid back reference \\{e}";
                            return null;
                        }
                        sb.Append('\\').Append(e);
                    }
                    else if (e is 'w' or 'W' or 's' or 'S' or 'b' or 'B')
                    {
                        // GNU extensions glibc (and so Pigeonhole) accepts; .NET means the same.
                        sb.Append('\\').Append(e);
                    }
                    else if (e is '<' or '>')
                    {
                        sb.Append("\\b");
                    }
                    else
                    {
                        sb.Append(Regex.Escape(e.ToString()));
                    }
                    canRepeat = e is not ('b' or 'B' or '<' or '>');
                    lastWasQuantifier = false;
                    continue;
                case '[':
                    if (!Bracket(pattern, ref i, sb, out error))
                    {
                        return null;
                    }
                    canRepeat = true;
                    lastWasQuantifier = false;
                    continue;
                case '(':
                    if (i + 1 < pattern.Length && pattern[i + 1] == '?')
                    {
                        error = "'(?' is not POSIX: no look-arounds or inline options";
                        return null;
                    }
                    groups++;
                    open++;
                    sb.Append('(');
                    canRepeat = false;
                    lastWasQuantifier = false;
                    i++;
                    continue;
                case ')':
                    if (open == 0)
                    {
                        // POSIX: an unmatched ')' is an ordinary character.
                        sb.Append("\\)");
                        canRepeat = true;
                    }
                    else
                    {
                        open--;
                        sb.Append(')');
                        canRepeat = true;
                    }
                    lastWasQuantifier = false;
                    i++;
                    continue;
                case '*' or '+' or '?':
                    if (lastWasQuantifier)
                    {
                        error = $"repeated quantifier '{c}' (lazy and possessive quantifiers are not POSIX)";
                        return null;
                    }
                    if (!canRepeat)
                    {
                        error = $"quantifier '{c}' has nothing to repeat";
                        return null;
                    }
                    sb.Append(c);
                    lastWasQuantifier = true;
                    i++;
                    continue;
                case '{':
                    int close = pattern.IndexOf('}', i);
                    string inner = close < 0 ? "" : pattern[(i + 1)..close];
                    if (close < 0 || !IsBound(inner, out error))
                    {
                        error ??= "unterminated '{' bound";
                        return null;
                    }
                    if (lastWasQuantifier || !canRepeat)
                    {
                        error = lastWasQuantifier ? "repeated quantifier" : "bound has nothing to repeat";
                        return null;
                    }
                    sb.Append('{').Append(inner).Append('}');
                    lastWasQuantifier = true;
                    i = close + 1;
                    continue;
                case '|':
                    sb.Append('|');
                    canRepeat = false;
                    lastWasQuantifier = false;
                    i++;
                    continue;
                case '^':
                    sb.Append('^');
                    canRepeat = false;
                    lastWasQuantifier = false;
                    i++;
                    continue;
                case '$':
                    // Only the very end: .NET's $ would also match before a final newline.
                    sb.Append("(?!(?s:.))");
                    canRepeat = false;
                    lastWasQuantifier = false;
                    i++;
                    continue;
                case '.':
                    sb.Append('.');
                    canRepeat = true;
                    lastWasQuantifier = false;
                    i++;
                    continue;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    canRepeat = true;
                    lastWasQuantifier = false;
                    i++;
                    continue;
            }
        }
        if (open > 0)
        {
            error = "unmatched '('";
            return null;
        }
        return sb.ToString();
    }

    private static bool IsBound(string inner, out string? error)
    {
        error = null;
        string[] parts = inner.Split(',');
        if (parts.Length > 2 || parts[0].Length == 0 || !parts.All(p => p.All(char.IsAsciiDigit)) || inner.Length > 9)
        {
            error = $"invalid bound '{{{inner}}}'";
            return false;
        }
        int min = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        if (parts.Length == 2 && parts[1].Length > 0 && int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) < min)
        {
            error = $"invalid bound '{{{inner}}}': maximum below minimum";
            return false;
        }
        if (min > 255)
        {
            error = $"bound '{{{inner}}}' exceeds 255 (RE_DUP_MAX)";
            return false;
        }
        return true;
    }

    private static bool Bracket(string pattern, ref int i, StringBuilder sb, out string? error)
    {
        error = null;
        int start = i;
        i++;
        var set = new StringBuilder("[");
        if (i < pattern.Length && pattern[i] == '^')
        {
            set.Append('^');
            i++;
        }
        bool first = true;
        while (true)
        {
            if (i >= pattern.Length)
            {
                error = $"unterminated bracket expression at offset {start}";
                return false;
            }
            char c = pattern[i];
            if (c == ']' && !first)
            {
                i++;
                break;
            }
            first = false;
            if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] is ':' or '=' or '.')
            {
                char kind = pattern[i + 1];
                int end = pattern.IndexOf(kind + "]", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    error = $"unterminated [{kind} in bracket expression";
                    return false;
                }
                string name = pattern[(i + 2)..end];
                i = end + 2;
                if (kind == ':')
                {
                    if (!Classes.TryGetValue(name, out string? cls))
                    {
                        error = $"unknown character class [:{name}:]";
                        return false;
                    }
                    set.Append(cls);
                }
                else if (name.Length == 1)
                {
                    // [=a=] and [.a.]: a single character stands for itself.
                    set.Append(EscapeInSet(name[0]));
                }
                else
                {
                    error = $"unsupported collating element [{kind}{name}{kind}]";
                    return false;
                }
                continue;
            }
            if (c == '-' && set.Length > 1 && i + 1 < pattern.Length && pattern[i + 1] != ']')
            {
                set.Append('-');
                i++;
                continue;
            }
            set.Append(EscapeInSet(c));
            i++;
        }
        sb.Append(set).Append(']');
        return true;
    }

    private static string EscapeInSet(char c) => c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString();

    /// <summary>The compiled expression (cached), or null with the reason for an invalid pattern.</summary>
    public static Regex? TryGet(string pattern, bool ignoreCase, TimeSpan timeout, out string? error)
    {
        error = null;
        if (Cache.TryGetValue((pattern, ignoreCase, timeout.Ticks), out Regex? cached))
        {
            return cached;
        }
        string? translated = Translate(pattern, out error);
        if (translated is null)
        {
            return null;
        }
        RegexOptions options = RegexOptions.CultureInvariant | RegexOptions.Singleline;
        if (ignoreCase)
        {
            options |= RegexOptions.IgnoreCase;
        }
        Regex regex;
        try
        {
            regex = new Regex(translated, options, timeout);
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return null;
        }
        // Patterns computed from variables could fill the cache without end: keep it bounded.
        if (Cache.Count > 512)
        {
            Cache.Clear();
        }
        Cache[(pattern, ignoreCase, timeout.Ticks)] = regex;
        return regex;
    }
}
