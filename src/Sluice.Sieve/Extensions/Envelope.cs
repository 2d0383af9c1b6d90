using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>envelope (RFC 5228 §5.4): tests on the SMTP envelope's "from", "to" and (Pigeonhole's) "auth".</summary>
internal sealed class Envelope : SieveExtension
{
    private static readonly string[] Parts = ["from", "to", "auth"];

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
            if (!context.Compiler.ContainsVariableReference(part.Value) && !Parts.Contains(part.Value, StringComparer.OrdinalIgnoreCase))
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
        return new DelegateTest(s => match.Run(s, Values(s, parts.Evaluate(s), addressPart), keys.Evaluate(s)), command.Node.Line, command.Node.Column);
    }

    private static IEnumerable<string> Values(RunState state, string[] parts, AddressPart addressPart)
    {
        foreach (string part in parts)
        {
            IEnumerable<string?> addresses = part.ToLowerInvariant() switch
            {
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

    /// <summary>The null path is "" for every address part (RFC 5228 §5.4); an unreadable path gives no value.</summary>
    internal static string? Extract(string path, AddressPart part, RunState state) =>
        EnvelopePath.Parse(path, out MailAddress address) switch
        {
            EnvelopePath.Kind.Null => "",
            EnvelopePath.Kind.Address => part.Extract(address, state),
            _ => null,
        };
}
