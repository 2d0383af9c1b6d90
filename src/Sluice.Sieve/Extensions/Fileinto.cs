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
        if (folder is ConstantString constant && !IsValidName(constant.Value))
        {
            context.Error(command.Positional[0], $"invalid folder name '{constant.Value}' specified for fileinto (not valid UTF-8 text)");
            return null;
        }
        bool copy = command.HasTag("copy");
        bool create = command.HasTag("create");
        return new ActionInstruction(s =>
        {
            string mailbox = folder.Evaluate(s);
            if (!IsValidName(mailbox))
            {
                throw new SieveRuntimeException($"invalid folder name '{mailbox}' specified for fileinto");
            }
            s.Result.FileInto(new FileIntoAction(mailbox, flags?.Invoke(s) ?? [], copy, create), s.Limits);
        }, command.Node.Line, command.Node.Column);
    }

    /// <summary>A mailbox name is non-empty UTF-8 text without controls; invalid UTF-8 (say from
    /// "${hex:ff}") decodes to U+FFFD and is refused.</summary>
    private static bool IsValidName(string name) =>
        name.Length > 0 && !name.Contains('\uFFFD', StringComparison.Ordinal) && !name.Any(char.IsControl);
}
