using System.Reflection;
using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>environment (RFC 5183): items about where the script runs, from the host, with defaults.</summary>
internal sealed class Environment : SieveExtension
{
    private static readonly string Version =
        typeof(Environment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0";

    public override string Name => "environment";

    public override void Register(ExtensionRegistry registry) =>
        registry.AddCommand(new DelegateCommand("environment", CommandKind.Test, Build)
        {
            Args = [Str("name"), List("key list")],
            Uses = TagFamilies.Comparator | TagFamilies.MatchType,
        });

    /// <summary>The item's value; null for an item nobody knows (the test is then false, RFC 5183 §4).</summary>
    internal static string? Item(RunState state, string name)
    {
        string? value = state.Host.GetEnvironmentItem(name);
        if (value is not null)
        {
            return value;
        }
        return name.ToLowerInvariant() switch
        {
            "name" => "Sluice",
            "version" => Version,
            "location" => "MTA",
            "phase" => "during",
            _ => null,
        };
    }

    private static object? Build(BuildContext context, BoundCommand command)
    {
        StringValue? name = context.String(command.Positional[0]);
        StringListValue? keys = context.StringList(command.Positional[1]);
        if (name is null || keys is null)
        {
            return null;
        }
        MatchSpec match = context.MatchSpec(command);
        return new DelegateTest(s =>
        {
            string? value = Item(s, name.Evaluate(s));
            return value is not null && match.Run(s, [value], keys.Evaluate(s));
        }, command.Node.Line, command.Node.Column);
    }
}
