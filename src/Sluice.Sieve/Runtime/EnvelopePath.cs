namespace Sluice.Sieve.Runtime;

/// <summary>
/// Reads an SMTP path (RFC 5321 §4.1.2) as the envelope test sees it: optional angle brackets, an
/// ignored source route, a local part (dots tolerated anywhere, as real mail has them) and an optional
/// domain. "" and "&lt;&gt;" are the null path.
/// </summary>
internal static class EnvelopePath
{
    public enum Kind
    {
        Invalid,
        Null,
        Address,
    }

    public static Kind Parse(string path, out MailAddress address)
    {
        address = default;
        string s = path;
        if (s.Length == 0 || s == "<>")
        {
            return Kind.Null;
        }
        if (s[0] == '<')
        {
            if (s.Length < 2 || s[^1] != '>')
            {
                return Kind.Invalid;
            }
            s = s[1..^1];
        }
        if (s.Contains('<', StringComparison.Ordinal) || s.Contains('>', StringComparison.Ordinal))
        {
            return Kind.Invalid;
        }
        if (s.StartsWith('@'))
        {
            int colon = s.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !IsRoute(s[..colon]))
            {
                return Kind.Invalid;
            }
            s = s[(colon + 1)..];
        }
        int at = LastAtOutsideQuotes(s);
        string local = at < 0 ? s : s[..at];
        string domain = at < 0 ? "" : s[(at + 1)..];
        if (!IsLocalPart(local) || (at >= 0 && !IsDomain(domain)))
        {
            return Kind.Invalid;
        }
        address = new MailAddress(local, domain);
        return Kind.Address;
    }

    // "@a.example,@b.example"
    private static bool IsRoute(string route)
    {
        foreach (string hop in route.Split(','))
        {
            if (hop.Length < 2 || hop[0] != '@' || !IsDomain(hop[1..]))
            {
                return false;
            }
        }
        return true;
    }

    private static int LastAtOutsideQuotes(string s)
    {
        bool quoted = false;
        int at = -1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && quoted)
            {
                i++;
            }
            else if (s[i] == '"')
            {
                quoted = !quoted;
            }
            else if (s[i] == '@' && !quoted)
            {
                if (at >= 0)
                {
                    return -2; // two @: not a path
                }
                at = i;
            }
        }
        return at;
    }

    private static bool IsLocalPart(string local)
    {
        if (local.Length == 0)
        {
            return false;
        }
        if (local[0] == '"')
        {
            return local.Length >= 2 && local[^1] == '"';
        }
        foreach (char c in local)
        {
            if (c <= ' ' || c == 0x7f || "()<>[]:;@\\,\"".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return local.Any(c => c != '.');
    }

    private static bool IsDomain(string domain)
    {
        if (domain.StartsWith('[') && domain.EndsWith(']'))
        {
            return domain.Length > 2;
        }
        string[] labels = domain.Split('.');
        return labels.All(l => l.Length > 0 && l.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }
}
