using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>mailbox (RFC 5490 §3): fileinto :create and the mailboxexists test, answered by the host.</summary>
internal sealed class Mailbox : SieveExtension
{
    public override string Name => "mailbox";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddTag("fileinto", new TagDefinition("create"));
        registry.AddCommand(new DelegateCommand("mailboxexists", CommandKind.Test, Build) { Args = [List("mailbox names")] });
    }

    private static object? Build(BuildContext context, BoundCommand command)
    {
        StringListValue? names = context.StringList(command.Positional[0]);
        if (names is null)
        {
            return null;
        }
        // A host that cannot tell answers null, which counts as "does not exist" (the safe answer).
        return new DelegateTest(s => names.Evaluate(s).All(n => s.Host.MailboxExists(n) == true), command.Node.Line, command.Node.Column);
    }
}
