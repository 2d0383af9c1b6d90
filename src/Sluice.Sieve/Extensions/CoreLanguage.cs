using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>RFC 5228's always-present parts: require, stop, keep, discard, redirect, and the core
/// comparators, match types and address parts.</summary>
internal sealed class CoreLanguage : SieveExtension
{
    public override string Name => "";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddComparator(OctetComparator.Instance);
        registry.AddComparator(AsciiCasemapComparator.Instance);
        registry.AddMatchType(new IsMatchType());
        registry.AddMatchType(new ContainsMatchType());
        registry.AddMatchType(new MatchesMatchType());
        registry.AddAddressPart(AllAddressPart.Instance);
        registry.AddAddressPart(new LocalPartAddressPart());
        registry.AddAddressPart(new DomainAddressPart());

        // The core comparators can be required by name although they are always there (RFC 5228 §2.7.3).
        registry.AddCapabilityAlias("comparator-i;octet", AlwaysOn);
        registry.AddCapabilityAlias("comparator-i;ascii-casemap", AlwaysOn);

        registry.AddCommand(new RequireCommand());
        registry.AddCommand(new DelegateCommand("stop", CommandKind.Command, (_, c) =>
            new ActionInstruction(s => s.Stopped = true, c.Node.Line, c.Node.Column)));
        registry.AddCommand(new DelegateCommand("keep", CommandKind.Command, BuildKeep));
        registry.AddCommand(new DelegateCommand("discard", CommandKind.Command, (_, c) =>
            new ActionInstruction(s => s.Result.Discard(s.Limits), c.Node.Line, c.Node.Column)));
        registry.AddCommand(new DelegateCommand("redirect", CommandKind.Command, BuildRedirect) { Args = [Str("address")] });
    }

    /// <summary>Stands for capabilities that need nothing loaded (the core comparators' names).</summary>
    private static readonly SieveExtension AlwaysOn = new AlwaysOnCapability();

    private sealed class AlwaysOnCapability : SieveExtension
    {
        public override string Name => "comparator-i;octet";

        public override void Register(ExtensionRegistry registry)
        {
        }
    }

    private static object? BuildKeep(BuildContext context, BoundCommand command)
    {
        Func<RunState, IReadOnlyList<string>>? flags = Imap4Flags.CompileStoreFlags(context, command, out bool ok);
        if (!ok)
        {
            return null;
        }
        return new ActionInstruction(s => s.Result.Keep(flags?.Invoke(s) ?? [], s.Limits), command.Node.Line, command.Node.Column);
    }

    private static object? BuildRedirect(BuildContext context, BoundCommand command)
    {
        AstString literal = ((AstStringList)command.Positional[0]).Items[0];
        StringValue? address = context.String(literal);
        if (address is null)
        {
            return null;
        }
        bool isList = command.HasTag("list");
        if (isList)
        {
            return Extlists.BuildRedirectList(context, command, address, literal);
        }
        if (address is ConstantString constant && AddressParser.ParseMailbox(constant.Value) is null)
        {
            context.Error(literal, $"specified redirect address '{constant.Value}' is invalid");
            return null;
        }
        bool copy = command.HasTag("copy");
        Func<RunState, RedirectAction, RedirectAction>? options = EnvelopeDsn.RedirectOptions(context, command, out bool ok);
        if (!ok)
        {
            return null;
        }
        return new ActionInstruction(s =>
        {
            string text = address.Evaluate(s);
            MailAddress? parsed = AddressParser.ParseMailbox(text)
                ?? throw new SieveRuntimeException($"specified redirect address '{text}' is invalid");
            var action = new RedirectAction(parsed.Value.Full, copy);
            s.Result.Redirect(options is null ? action : options(s, action), s.Limits);
        }, command.Node.Line, command.Node.Column);
    }

    /// <summary>require (RFC 5228 §3.2): only at the top, before any other command; every name must be known.</summary>
    private sealed class RequireCommand : CommandDefinition
    {
        public override string Name => "require";

        public override CommandKind Kind => CommandKind.Command;

        public override IReadOnlyList<PositionalSpec> Positional => [List("capabilities")];

        public override object? Build(BuildContext context, BoundCommand command)
        {
            if (!context.TopLevel || !context.OnlyRequiresBefore)
            {
                context.Error(command.Node, "require commands can only be placed at top level at the beginning of the file");
                return null;
            }
            bool ok = true;
            foreach (AstString capability in ((AstStringList)command.Positional[0]).Items)
            {
                if (!context.Compiler.Require(capability.Value))
                {
                    context.Error(capability, $"require command: unknown Sieve capability '{capability.Value}'");
                    ok = false;
                }
            }
            return ok ? this : null;
        }

        public override void Emit(EmitContext emit, BoundCommand command, object compiled)
        {
            // Requirements act at compile time only.
        }
    }
}
