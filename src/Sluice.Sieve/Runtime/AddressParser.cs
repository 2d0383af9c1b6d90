using System.Text;

namespace Sluice.Sieve.Runtime;

/// <summary>
/// Reads RFC 5322 addresses. <see cref="ParseList"/> is lenient, for header values a test looks at;
/// <see cref="ParseMailbox"/> is strict, for addresses a script sends to (redirect).
/// </summary>
internal static class AddressParser
{
    private enum Kind
    {
        Atom,
        Quoted,
        DomainLiteral,
        Special,
    }

    private readonly record struct Lexeme(Kind Kind, string Text, bool SpaceBefore);

    /// <summary>Every mailbox in an address-list header, group wrappers removed; null when it cannot be read.</summary>
    public static List<MailAddress>? ParseList(string value)
    {
        List<Lexeme>? lexemes = Lex(value, lenient: true);
        if (lexemes is null)
        {
            return null;
        }
        var result = new List<MailAddress>();
        // Split at top-level commas and group punctuation; angle brackets mark the address proper.
        var element = new List<Lexeme>();
        bool inAngle = false;
        foreach (Lexeme lx in lexemes)
        {
            if (lx.Kind == Kind.Special && lx.Text == "<")
            {
                inAngle = true;
            }
            else if (lx.Kind == Kind.Special && lx.Text == ">")
            {
                inAngle = false;
            }
            if (!inAngle && lx.Kind == Kind.Special && lx.Text is "," or ";")
            {
                Flush();
                continue;
            }
            if (!inAngle && lx.Kind == Kind.Special && lx.Text == ":")
            {
                // "group-name:" — what came before is the group's name, not an address.
                element.Clear();
                continue;
            }
            element.Add(lx);
        }
        Flush();
        return result;

        void Flush()
        {
            if (element.Count == 0)
            {
                return;
            }
            int open = element.FindIndex(l => l.Kind == Kind.Special && l.Text == "<");
            List<Lexeme> spec = element;
            if (open >= 0)
            {
                int close = element.FindIndex(open, l => l.Kind == Kind.Special && l.Text == ">");
                spec = element.GetRange(open + 1, (close < 0 ? element.Count : close) - open - 1);
                // Drop an obsolete route ("@a,@b:").
                int colon = spec.FindIndex(l => l.Kind == Kind.Special && l.Text == ":");
                if (colon >= 0)
                {
                    spec = spec.GetRange(colon + 1, spec.Count - colon - 1);
                }
            }
            element = [];
            if (spec.Count == 0)
            {
                return;
            }
            int at = spec.FindLastIndex(l => l.Kind == Kind.Special && l.Text == "@");
            string local = Join(at < 0 ? spec : spec.GetRange(0, at));
            string domain = at < 0 ? "" : Join(spec.GetRange(at + 1, spec.Count - at - 1));
            if (local.Length > 0 || domain.Length > 0)
            {
                result.Add(new MailAddress(local, domain));
            }
        }
    }

    /// <summary>The text of an address piece without its whitespace and comments (quotes already removed).</summary>
    private static string Join(List<Lexeme> lexemes) => string.Concat(lexemes.Select(l => l.Text));

    /// <summary>Exactly one mailbox ("Name &lt;a@b&gt;" or "a@b"), ASCII only; null when it is not one.</summary>
    public static MailAddress? ParseMailbox(string value)
    {
        List<Lexeme>? lx = Lex(value, lenient: false);
        if (lx is null || lx.Count == 0)
        {
            return null;
        }
        int open = lx.FindIndex(l => l.Kind == Kind.Special && l.Text == "<");
        if (open >= 0)
        {
            // name-addr: an optional phrase, then <addr-spec> and nothing after it.
            if (lx[^1].Kind != Kind.Special || lx[^1].Text != ">")
            {
                return null;
            }
            for (int i = 0; i < open; i++)
            {
                if (lx[i].Kind is not (Kind.Atom or Kind.Quoted) && !(lx[i].Kind == Kind.Special && lx[i].Text == "."))
                {
                    return null;
                }
            }
            return ParseAddrSpec(lx.GetRange(open + 1, lx.Count - open - 2));
        }
        return ParseAddrSpec(lx);
    }

    private static MailAddress? ParseAddrSpec(List<Lexeme> lx)
    {
        int at = lx.FindIndex(l => l.Kind == Kind.Special && l.Text == "@");
        if (at <= 0 || at == lx.Count - 1)
        {
            return null;
        }
        // local-part: words separated by dots; stray leading, trailing or doubled dots are tolerated
        // (they occur in real mail, RFC 5322 obs-local-part), two words without a dot are not.
        var local = new StringBuilder();
        bool lastWasWord = false, anyWord = false;
        for (int i = 0; i < at; i++)
        {
            Lexeme l = lx[i];
            if (l.Kind is Kind.Atom or Kind.Quoted)
            {
                if (lastWasWord)
                {
                    return null;
                }
                local.Append(l.Kind == Kind.Quoted ? "\"" + l.Text + "\"" : l.Text);
                lastWasWord = anyWord = true;
            }
            else if (l.Kind == Kind.Special && l.Text == ".")
            {
                local.Append('.');
                lastWasWord = false;
            }
            else
            {
                return null;
            }
        }
        if (!anyWord)
        {
            return null;
        }
        // domain: dot-atom or a domain literal.
        var domain = new StringBuilder();
        bool expectWord = true;
        for (int i = at + 1; i < lx.Count; i++)
        {
            Lexeme l = lx[i];
            if (expectWord && (l.Kind == Kind.Atom || (l.Kind == Kind.DomainLiteral && lx.Count == at + 2)))
            {
                domain.Append(l.Text);
                expectWord = false;
            }
            else if (!expectWord && l.Kind == Kind.Special && l.Text == ".")
            {
                domain.Append('.');
                expectWord = true;
            }
            else
            {
                return null;
            }
        }
        if (expectWord)
        {
            return null;
        }
        return new MailAddress(local.ToString(), domain.ToString());
    }

    private static bool IsSpecial(char c) => c is '(' or ')' or '<' or '>' or '[' or ']' or ':' or ';' or '@' or '\\' or ',' or '.' or '"';

    private static List<Lexeme>? Lex(string s, bool lenient)
    {
        var list = new List<Lexeme>();
        int i = 0;
        bool space = false;
        while (i < s.Length)
        {
            char c = s[i];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                space = true;
                i++;
                continue;
            }
            if (c == '(')
            {
                // Comments nest; an unclosed one swallows the rest.
                int depth = 0;
                while (i < s.Length)
                {
                    if (s[i] == '\\')
                    {
                        i += 2;
                        continue;
                    }
                    if (s[i] == '(')
                    {
                        depth++;
                    }
                    else if (s[i] == ')' && --depth == 0)
                    {
                        i++;
                        break;
                    }
                    i++;
                }
                if (depth > 0 && !lenient)
                {
                    return null;
                }
                space = true;
                continue;
            }
            if (c == '"')
            {
                var sb = new StringBuilder();
                i++;
                bool closed = false;
                while (i < s.Length)
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        sb.Append(s[i + 1]);
                        i += 2;
                        continue;
                    }
                    if (s[i] == '"')
                    {
                        closed = true;
                        i++;
                        break;
                    }
                    sb.Append(s[i++]);
                }
                if (!closed && !lenient)
                {
                    return null;
                }
                list.Add(new Lexeme(Kind.Quoted, sb.ToString(), space));
                space = false;
                continue;
            }
            if (c == '[')
            {
                int end = s.IndexOf(']', i);
                if (end < 0)
                {
                    if (!lenient)
                    {
                        return null;
                    }
                    end = s.Length - 1;
                }
                list.Add(new Lexeme(Kind.DomainLiteral, s[i..(end + 1)], space));
                space = false;
                i = end + 1;
                continue;
            }
            if (IsSpecial(c))
            {
                list.Add(new Lexeme(Kind.Special, c.ToString(), space));
                space = false;
                i++;
                continue;
            }
            int start = i;
            while (i < s.Length && !IsSpecial(s[i]) && s[i] is not (' ' or '\t' or '\r' or '\n'))
            {
                if (!lenient && (s[i] > 0x7e || s[i] < 0x21))
                {
                    return null;
                }
                i++;
            }
            list.Add(new Lexeme(Kind.Atom, s[start..i], space));
            space = false;
        }
        return list;
    }
}
