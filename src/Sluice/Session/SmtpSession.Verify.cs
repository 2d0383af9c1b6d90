using Sluice.Protocol;

namespace Sluice.Session;

/// <summary>VRFY and EXPN (SPEC §2.5, §2.7), answered from <c>session.rcpt.directory</c> when enabled.</summary>
internal sealed partial class SmtpSession
{
    /// <summary>Members listed by one EXPN at most (a huge list is cut, not a huge reply).</summary>
    private const int MaxExpansion = 100;

    /// <summary>
    /// VRFY from the users' <c>email</c> (or a login name), EXPN from <c>email-list</c>: 250 2.1.5 with
    /// the address(es), 550 5.1.2 when unknown; 252 2.5.1 when disabled or without a directory.
    /// </summary>
    private async ValueTask VerifyAsync(SmtpCommand command)
    {
        var policy = _settings.Session.Policy;
        var expand = command.Verb == SmtpVerb.Expn;
        var enabled = expand ? policy.Expn.Evaluate(_info.Rules) : policy.Vrfy.Evaluate(_info.Rules);
        var id = enabled ? policy.RcptDirectory.Evaluate(_info.Rules) : string.Empty;
        if (id.Length == 0 || !_settings.Directories.TryGet(id, out var directory))
        {
            Reply(SmtpReplies.VrfyDisabled);
            return;
        }
        var query = (command.Argument ?? string.Empty).Trim();
        if (query.Length > 2 && query[0] == '<' && query[^1] == '>')
        {
            query = query[1..^1];
        }
        if (query.Length == 0)
        {
            Reply(SmtpReplies.SyntaxError);
            return;
        }

        if (expand)
        {
            var members = await directory.ExpandAsync(query, Token);
            if (members.Count == 0)
            {
                Reply(SmtpReplies.AddressUnknown);
                return;
            }
            var count = Math.Min(members.Count, MaxExpansion);
            for (var i = 0; i < count; i++)
            {
                var member = members[i];
                var address = member.Emails.Count > 0 ? member.Emails[0] : member.Name;
                SmtpReplyWriter.WriteLine(_output, 250, "2.1.5", "<" + address + ">", default, last: i == count - 1);
            }
            return;
        }

        var user = await directory.FindByAddressAsync(query, Token);
        var found = user is null ? null : query;
        if (user is null && !query.Contains('@', StringComparison.Ordinal))
        {
            user = await directory.FindByNameAsync(query, Token);
            found = user is { Emails.Count: > 0 } ? user.Emails[0] : null;
        }
        if (found is null)
        {
            Reply(SmtpReplies.AddressUnknown);
            return;
        }
        SmtpReplyWriter.Write(_output, 250, "2.1.5", "<" + found + ">");
    }
}
