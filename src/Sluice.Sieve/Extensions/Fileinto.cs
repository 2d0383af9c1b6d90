using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>fileinto (RFC 5228 §4.1): deliver into a named mailbox. :copy, :create and :flags come from other extensions.</summary>
internal sealed class Fileinto : SieveExtension
{
    public override string Name => "fileinto";

    public override void Register(ExtensionRegistry registry) =>
        registry.AddCommand(new DelegateCommand("fileinto", CommandKind.Command, Build) { Args = [Str("folder")] });

    private static object? Build(BuildContext context, BoundCommand command)
    {
        StringValue? folder = context.String(command.Positional[0]);
        Func<RunState, IReadOnlyList<string>>? flags = Imap4Flags.CompileStoreFlags(context, command, out bool ok);
        if (folder is null || !ok)
        {
            return null;
        }
        bool copy = command.HasTag("copy");
        bool create = command.HasTag("create");
        return new ActionInstruction(s =>
        {
            string mailbox = folder.Evaluate(s);
            if (mailbox.Length == 0 || mailbox.Contains('\uFFFD', StringComparison.Ordinal) || mailbox.Any(char.IsControl))
            {
                throw new SieveRuntimeException($"invalid folder name '{mailbox}' specified for fileinto");
            }
            s.Result.FileInto(new FileIntoAction(mailbox, flags?.Invoke(s) ?? [], copy, create), s.Limits);
        }, command.Node.Line, command.Node.Column);
    }
}
