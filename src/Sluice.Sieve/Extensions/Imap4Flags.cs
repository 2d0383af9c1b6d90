using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// imap4flags (RFC 5232): setflag/addflag/removeflag on the internal flag variable (or a named one),
/// the hasflag test, and :flags on keep and fileinto. Flags are kept, not interpreted: the host stores them.
/// </summary>
internal sealed class Imap4Flags : SieveExtension
{
    private static readonly object StateKey = new();

    public override string Name => "imap4flags";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddCommand(new FlagCommand("setflag", (current, given) => given));
        registry.AddCommand(new FlagCommand("addflag", (current, given) => Normalize([.. current, .. given])));
        registry.AddCommand(new FlagCommand("removeflag", (current, given) =>
            current.Where(f => !given.Contains(f, StringComparer.OrdinalIgnoreCase)).ToList()));
        registry.AddCommand(new HasFlagTest());
        registry.AddTag("keep", new TagDefinition("flags", TagParameter.StringList, ParameterName: "list of flags"));
        registry.AddTag("fileinto", new TagDefinition("flags", TagParameter.StringList, ParameterName: "list of flags"));
    }

    /// <summary>The internal flag variable of a run; starts as the message's own flags.</summary>
    private sealed class FlagState
    {
        public List<string> Flags { get; set; } = [];
    }

    private static FlagState State(RunState state) => state.GetState(StateKey, () =>
    {
        var fs = new FlagState { Flags = Normalize(state.Message.Flags) };
        state.MessageChanged += s =>
        {
            fs.Flags = Normalize(s.Message.Flags);
            s.Result.ImplicitKeepFlags = fs.Flags;
        };
        return fs;
    });

    private static void SetInternal(RunState state, List<string> flags)
    {
        State(state).Flags = flags;
        // The implicit keep stores with whatever the internal variable holds at the end (RFC 5232 §5).
        state.Result.ImplicitKeepFlags = flags;
    }

    /// <summary>Splits flag strings at spaces and drops duplicates (flags compare case-insensitively).</summary>
    internal static List<string> Normalize(IEnumerable<string> values)
    {
        var result = new List<string>();
        foreach (string value in values)
        {
            foreach (string flag in value.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (!result.Contains(flag, StringComparer.OrdinalIgnoreCase))
                {
                    result.Add(flag);
                }
            }
        }
        return result;
    }

    /// <summary>
    /// The flags keep or fileinto stores with: the :flags argument, else the internal variable when the
    /// script uses imap4flags, else none (null). ok is false after a compile error.
    /// </summary>
    internal static Func<RunState, IReadOnlyList<string>>? CompileStoreFlags(BuildContext context, BoundCommand command, out bool ok)
    {
        ok = true;
        if (command.Tags.TryGetValue("flags", out BoundTag? tag))
        {
            StringListValue? list = context.StringList(tag.Parameter!);
            if (list is null)
            {
                ok = false;
                return null;
            }
            return s => Normalize(list.Evaluate(s));
        }
        if (context.IsRequired("imap4flags"))
        {
            return s => State(s).Flags.ToList();
        }
        return null;
    }

    /// <summary>Reads the flags of a named variable or of the internal one.</summary>
    private static List<string> Read(RunState state, int variable) =>
        variable < 0 ? State(state).Flags : Normalize([state.GetVariable(variable)]);

    private static void Write(RunState state, int variable, List<string> flags)
    {
        if (variable < 0)
        {
            SetInternal(state, flags);
        }
        else
        {
            state.SetVariable(variable, string.Join(' ', flags));
        }
    }

    private sealed class FlagCommand(string name, Func<List<string>, List<string>, List<string>> apply) : CommandDefinition
    {
        public override string Name => name;

        public override CommandKind Kind => CommandKind.Command;

        // [<variablename: string>] <list-of-flags: string-list>
        public override int PositionalCount => -1;

        public override object? Build(BuildContext context, BoundCommand command)
        {
            int count = command.Positional.Count;
            if (count is < 1 or > 2)
            {
                context.Error(command.Node, $"the {name} command requires one or two positional arguments, but {count} were specified");
                return null;
            }
            int variable = -1;
            if (count == 2)
            {
                if (command.Positional[0] is not AstStringList { IsSingleString: true } varName)
                {
                    context.Error(command.Positional[0], $"the {name} command expects a string as argument 1 (variable name), but {command.Positional[0].TypeName} was found");
                    return null;
                }
                if (!context.IsRequired("variables"))
                {
                    context.Error(varName, $"the {name} command can only name a variable when the variables extension is required");
                    return null;
                }
                variable = Variables.VariableIndex(context, varName.Items[0]);
                if (variable < 0)
                {
                    return null;
                }
            }
            AstArgument flagsArg = command.Positional[count - 1];
            if (flagsArg is not AstStringList)
            {
                context.Error(flagsArg, $"the {name} command expects a string list as argument {count} (list of flags), but {flagsArg.TypeName} was found");
                return null;
            }
            StringListValue? flags = context.StringList(flagsArg);
            if (flags is null)
            {
                return null;
            }
            return new ActionInstruction(s =>
                Write(s, variable, apply(Read(s, variable).ToList(), Normalize(flags.Evaluate(s)))),
                command.Node.Line, command.Node.Column);
        }
    }

    /// <summary>hasflag [MATCH-TYPE] [COMPARATOR] [&lt;variable-list&gt;] &lt;list-of-flags&gt;.</summary>
    private sealed class HasFlagTest : CommandDefinition
    {
        public override string Name => "hasflag";

        public override CommandKind Kind => CommandKind.Test;

        public override int PositionalCount => -1;

        public override TagFamilies Families => TagFamilies.Comparator | TagFamilies.MatchType;

        public override object? Build(BuildContext context, BoundCommand command)
        {
            int count = command.Positional.Count;
            if (count is < 1 or > 2)
            {
                context.Error(command.Node, $"the hasflag test requires one or two positional arguments, but {count} were specified");
                return null;
            }
            foreach (AstArgument arg in command.Positional)
            {
                if (arg is not AstStringList)
                {
                    context.Error(arg, $"the hasflag test expects string lists as arguments, but {arg.TypeName} was found");
                    return null;
                }
            }
            var variables = new List<int>();
            if (count == 2)
            {
                if (!context.IsRequired("variables"))
                {
                    context.Error(command.Positional[0], "the hasflag test can only name variables when the variables extension is required");
                    return null;
                }
                foreach (AstString v in ((AstStringList)command.Positional[0]).Items)
                {
                    int index = Variables.VariableIndex(context, v);
                    if (index < 0)
                    {
                        return null;
                    }
                    variables.Add(index);
                }
            }
            StringListValue? keys = context.StringList(command.Positional[count - 1]);
            if (keys is null)
            {
                return null;
            }
            MatchSpec match = context.MatchSpec(command);
            return new DelegateTest(s =>
            {
                List<string> flags = variables.Count == 0
                    ? Read(s, -1)
                    : Normalize(variables.Select(s.GetVariable));
                // Keys are flag lists too: "a b" means the flags a and b (RFC 5232 §4).
                string[] keyFlags = match.Type.CountsValues ? keys.Evaluate(s) : Normalize(keys.Evaluate(s)).ToArray();
                return match.Run(s, flags, keyFlags);
            }, command.Node.Line, command.Node.Column);
        }
    }
}
