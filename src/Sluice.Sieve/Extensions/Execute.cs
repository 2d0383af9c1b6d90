using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// vnd.sluice.execute: runs an external program through the host, which alone decides what may run
/// (SPEC: only absolute paths in sieve.allowed-programs). As a command: "execute [:input] [:output
/// "var"] "program" [args]"; as a test, true when the program ran and exited 0. :input passes the
/// message; :output stores what the program printed. A refused program is a runtime error for the
/// command and false for the test.
/// </summary>
internal sealed class Execute : SieveExtension
{
    public override string Name => "vnd.sluice.execute";

    public override void Register(ExtensionRegistry registry) =>
        registry.AddCommand(new DelegateCommand("execute", CommandKind.Hybrid, Build)
        {
            ArgCount = -1,
            OwnTags = [new TagDefinition("input"), new TagDefinition("output", TagParameter.String, null, "variable name")],
        });

    private static object? Build(BuildContext context, BoundCommand command)
    {
        int count = command.Positional.Count;
        if (count is < 1 or > 2 || command.Positional[0] is not AstStringList { IsSingleString: true } || (count == 2 && command.Positional[1] is not AstStringList))
        {
            context.Error(command.Node, "the execute command takes a program name (string) and optionally its arguments (string list)");
            return null;
        }
        StringValue? program = context.String(command.Positional[0]);
        StringListValue? arguments = count == 2 ? context.StringList(command.Positional[1]) : new StringListValue([]);
        if (program is null || arguments is null)
        {
            return null;
        }
        int output = -1;
        if (command.Tags.TryGetValue("output", out BoundTag? tag))
        {
            if (!context.IsRequired("variables"))
            {
                context.Error(tag.Tag.Line, tag.Tag.Column, "execute :output requires the variables extension");
                return null;
            }
            output = Variables.VariableIndex(context, ((AstStringList)tag.Parameter!).Items[0]);
            if (output < 0)
            {
                return null;
            }
        }
        bool input = command.HasTag("input");
        bool isTest = command.Node.IsTest;
        SieveExecuteResult? Run(RunState s)
        {
            string p = program.Evaluate(s);
            string[] args = arguments.Evaluate(s);
            string? stdin = input ? System.Text.Encoding.UTF8.GetString(s.Message.RawBytes.Span) : null;
            s.Tick(10);
            SieveExecuteResult? result = s.Host.Execute(p, args, stdin);
            if (result is null)
            {
                if (!isTest)
                {
                    throw new SieveRuntimeException($"execute: the host does not allow running '{p}'");
                }
                return null;
            }
            if (output >= 0)
            {
                s.SetVariable(output, result.Output);
            }
            return result;
        }
        if (isTest)
        {
            return new DelegateTest(s => Run(s) is { ExitCode: 0 }, command.Node.Line, command.Node.Column);
        }
        return new ActionInstruction(s =>
        {
            SieveExecuteResult result = Run(s)!;
            if (result.ExitCode != 0)
            {
                throw new SieveRuntimeException($"execute: '{program.Evaluate(s)}' exited with code {result.ExitCode}");
            }
        }, command.Node.Line, command.Node.Column);
    }
}
