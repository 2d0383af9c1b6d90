using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>envelope (RFC 5228 §5.4): tests on the SMTP envelope's "from", "to" and (Pigeonhole's) "auth".</summary>
internal sealed class Envelope : SieveExtension
{
    private static readonly string[] Parts = ["from", "to", "auth"];
    private static readonly string[] DsnParts = ["notify", "orcpt", "ret", "envid"];
    private static readonly string[] DeliverByParts = ["bytimeabsolute", "bytimerelative", "bymode", "bytrace"];

    private static bool Allowed(BuildContext context, string part) =>
        Parts.Contains(part, StringComparer.OrdinalIgnoreCase) ||
        (context.IsRequired("envelope-dsn") && DsnParts.Contains(part, StringComparer.OrdinalIgnoreCase)) ||
        (context.IsRequired("envelope-deliverby") && DeliverByParts.Contains(part, StringComparer.OrdinalIgnoreCase));

    public override string Name => "envelope";

    public override void Register(ExtensionRegistry registry) =>
        registry.AddCommand(new DelegateCommand("envelope", CommandKind.Test, Build)
        {
            Args = [List("envelope part"), List("key list")],
            Uses = TagFamilies.Comparator | TagFamilies.MatchType | TagFamilies.AddressPart,
        });

    private static object? Build(BuildContext context, BoundCommand command)
    {
        var partList = (AstStringList)command.Positional[0];
        bool ok = true;
        foreach (AstString part in partList.Items)
        {
            if (!context.Compiler.ContainsVariableReference(part.Value) && !Allowed(context, part.Value))
            {
                context.Error(part, $"specified envelope part '{part.Value}' is not supported by the envelope test");
                ok = false;
            }
        }
        StringListValue? parts = context.StringList(partList);
        StringListValue? keys = context.StringList(command.Positional[1]);
        if (!ok || parts is null || keys is null)
        {
            return null;
        }
        MatchSpec match = context.MatchSpec(command);
        AddressPart addressPart = BuildContext.AddressPart(command);
        if (!match.Type.CountsValues)
        {
            // "from" and "to" (what filters test) are matched in place: nothing is allocated per test.
            return new DelegateTest(s =>
            {
                string[] p = parts.Evaluate(s);
                string[] k = keys.Evaluate(s);
                List<string>? captures = match.NewCaptures();
                for (int i = 0; i < p.Length; i++)
                {
                    if (string.Equals(p[i], "from", StringComparison.OrdinalIgnoreCase))
                    {
                        if (s.Envelope.From is { } from && Extract(from, addressPart, s) is { } value && match.Any(s, value, k, captures))
                        {
                            return true;
                        }
                    }
                    else if (string.Equals(p[i], "to", StringComparison.OrdinalIgnoreCase))
                    {
                        IReadOnlyList<string> to = s.Envelope.To;
                        for (int t = 0; t < to.Count; t++)
                        {
                            if (Extract(to[t], addressPart, s) is { } value && match.Any(s, value, k, captures))
                            {
                                return true;
                            }
                        }
                    }
                    else if (match.Run(s, Values(s, [p[i]], addressPart), k))
                    {
                        return true;
                    }
                }
                return false;
            }, command.Node.Line, command.Node.Column);
        }
        return new DelegateTest(s => match.Run(s, Values(s, parts.Evaluate(s), addressPart), keys.Evaluate(s)), command.Node.Line, command.Node.Column);
    }

    private static IEnumerable<string> Values(RunState state, string[] parts, AddressPart addressPart)
    {
        foreach (string part in parts)
        {
            string lower = part.ToLowerInvariant();
            string? plain = lower switch
            {
                "notify" => state.Envelope.Notify,
                "ret" => state.Envelope.Ret,
                "envid" => state.Envelope.EnvId,
                "bytimeabsolute" => state.Envelope.ByTimeAbsolute,
                "bytimerelative" => state.Envelope.ByTimeRelative,
                "bymode" => state.Envelope.ByMode,
                "bytrace" => state.Envelope.ByTrace,
                _ => null,
            };
            if (lower is "notify" or "ret" or "envid" or "bytimeabsolute" or "bytimerelative" or "bymode" or "bytrace")
            {
                // Not addresses: address parts do not apply (RFC 6009 §4).
                if (plain is not null)
                {
                    yield return plain;
                }
                continue;
            }
            IEnumerable<string?> addresses = lower switch
            {
                "orcpt" => [OrcptAddress(state.Envelope.Orcpt)],
                "from" => [state.Envelope.From],
                "to" => state.Envelope.To.Cast<string?>(),
                "auth" => [state.Envelope.Auth],
                _ => [],
            };
            foreach (string? address in addresses)
            {
                if (address is null)
                {
                    continue;
                }
                string? value = Extract(address, addressPart, state);
                if (value is not null)
                {
                    yield return value;
                }
            }
        }
    }

    /// <summary>ORCPT is "rfc822;addr" (RFC 3461 §4.2): the address after the type, xtext decoded.</summary>
    private static string? OrcptAddress(string? orcpt)
    {
        if (orcpt is null)
        {
            return null;
        }
        int semi = orcpt.IndexOf(';', StringComparison.Ordinal);
        string value = semi < 0 ? orcpt : orcpt[(semi + 1)..];
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '+' && i + 2 < value.Length && Uri.IsHexDigit(value[i + 1]) && Uri.IsHexDigit(value[i + 2]))
            {
                sb.Append((char)Convert.ToInt32(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                sb.Append(value[i]);
            }
        }
        return sb.ToString();
    }

    /// <summary>The null path is "" for every address part (RFC 5228 §5.4); an unreadable path gives no value.</summary>
    internal static string? Extract(string path, AddressPart part, RunState state)
    {
        // The envelope's strings are the same objects run after run (one per recipient): parse once.
        if (!ParsedPaths.TryGetValue(path, out ParsedPath? parsed))
        {
            EnvelopePath.Kind kind = EnvelopePath.Parse(path, out MailAddress parsedAddress);
            parsed = new ParsedPath(kind, parsedAddress);
            ParsedPaths.AddOrUpdate(path, parsed);
        }
        MailAddress address = parsed.Address;
        return parsed.Kind switch
        {
            EnvelopePath.Kind.Null => "",
            EnvelopePath.Kind.Address => part.Extract(address, state),
            _ => null,
        };
    }

    private sealed record ParsedPath(EnvelopePath.Kind Kind, MailAddress Address);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, ParsedPath> ParsedPaths = [];
}
