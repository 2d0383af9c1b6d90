using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// ihave (RFC 5463): whether capabilities are available, decided at compile time. When they are, they
/// are loaded for the rest of the script; when not, the test is constant false and the block under it
/// is not checked (it may use commands this implementation does not know). Also the error command.
/// </summary>
internal sealed class Ihave : SieveExtension
{
    /// <summary>Extensions that change how strings are read cannot be switched on mid-script (RFC 5463 §4).</summary>
    private static readonly string[] Incompatible = ["variables", "encoded-character"];

    public override string Name => "ihave";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddCommand(new DelegateCommand("ihave", CommandKind.Test, BuildIhave) { Args = [List("capabilities")] });
        registry.AddCommand(new DelegateCommand("error", CommandKind.Command, BuildError) { Args = [Str("message")] });
    }

    private static object? BuildIhave(BuildContext context, BoundCommand command)
    {
        var list = (AstStringList)command.Positional[0];
        bool all = true;
        foreach (AstString capability in list.Items)
        {
            bool known = context.Compiler.Registry.Capabilities.ContainsKey(capability.Value) &&
                         !Incompatible.Contains(capability.Value, StringComparer.Ordinal);
            all &= known;
        }
        if (!all)
        {
            return new ConstantTest(false, command.Node.Line, command.Node.Column);
        }
        foreach (AstString capability in list.Items)
        {
            context.Compiler.Require(capability.Value);
        }
        return new DelegateTest(_ => true, command.Node.Line, command.Node.Column);
    }

    private static object? BuildError(BuildContext context, BoundCommand command)
    {
        StringValue? message = context.String(command.Positional[0]);
        if (message is null)
        {
            return null;
        }
        return new ActionInstruction(s => throw new SieveRuntimeException(message.Evaluate(s)), command.Node.Line, command.Node.Column);
    }
}
