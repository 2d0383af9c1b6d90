using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>reject (RFC 5429): refuse the message with a reason; ereject is the SMTP-level variant.</summary>
internal class Reject : SieveExtension
{
    public override string Name => "reject";

    protected virtual bool Extended => false;

    public override void Register(ExtensionRegistry registry) =>
        registry.AddCommand(new DelegateCommand(Name, CommandKind.Command, Build) { Args = [Str("reason")] });

    private object? Build(BuildContext context, BoundCommand command)
    {
        StringValue? reason = context.String(command.Positional[0]);
        if (reason is null)
        {
            return null;
        }
        bool extended = Extended;
        return new ActionInstruction(s => s.Result.Reject(new RejectAction(reason.Evaluate(s), extended), s.Limits), command.Node.Line, command.Node.Column);
    }

    internal sealed class Ereject : Reject
    {
        public override string Name => "ereject";

        protected override bool Extended => true;
    }
}
