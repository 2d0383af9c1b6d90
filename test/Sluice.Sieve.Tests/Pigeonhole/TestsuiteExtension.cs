using System.Globalization;
using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Tests.Pigeonhole;

/// <summary>
/// vnd.dovecot.testsuite, written for this harness from the README's description of each command.
/// It exists only in the test project; the session it is given plays the host.
/// </summary>
internal sealed class TestsuiteExtension(SuiteSession session) : SieveExtension
{
    public override string Name => "vnd.dovecot.testsuite";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddCommand(new TestBlock(session));
        registry.AddCommand(new DelegateCommand("test_fail", CommandKind.Command, BuildFail) { Args = [Str("reason")] });
        registry.AddCommand(new DelegateCommand("test_set", CommandKind.Command, BuildSet) { Args = [Str("name"), Str("value")] });
        registry.AddCommand(new DelegateCommand("test_config_set", CommandKind.Command, BuildConfigSet) { Args = [Str("key"), Str("value")] });
        registry.AddCommand(new DelegateCommand("test_config_unset", CommandKind.Command, BuildConfigUnset) { Args = [Str("key")] });
        registry.AddCommand(new DelegateCommand("test_config_reload", CommandKind.Command, (_, c) => Act(c, _ => { }))
        {
            OwnTags = [new TagDefinition("extension", TagParameter.String)],
        });
        registry.AddCommand(new DelegateCommand("test_mailbox_create", CommandKind.Command, BuildMailboxCreate) { Args = [Str("mailbox")] });
        registry.AddCommand(new DelegateCommand("test_script_compile", CommandKind.Test, BuildCompile) { Args = [Str("path")] });
        registry.AddCommand(new DelegateCommand("test_script_run", CommandKind.Test, BuildRun)
        {
            OwnTags = [new TagDefinition("append_result")],
        });
        registry.AddCommand(new DelegateCommand("test_error", CommandKind.Test, (ctx, c) => BuildListTest(ctx, c, _ => session.LastErrors))
        {
            Args = [List("key list")],
            Uses = TagFamilies.Comparator | TagFamilies.MatchType,
            OwnTags = [new TagDefinition("index", TagParameter.Number)],
        });
        registry.AddCommand(new DelegateCommand("test_result_action", CommandKind.Test, (ctx, c) => BuildListTest(ctx, c, _ => session.Result.Final().Select(a => a.Name).ToList()))
        {
            Args = [List("key list")],
            Uses = TagFamilies.Comparator | TagFamilies.MatchType,
            OwnTags = [new TagDefinition("index", TagParameter.Number)],
        });
        registry.AddCommand(new DelegateCommand("test_result_reset", CommandKind.Command, (_, c) => Act(c, _ => session.Result.Reset())));
        registry.AddCommand(new DelegateCommand("test_result_execute", CommandKind.Test, (_, c) =>
            new DelegateTest(s => ResultExecutor.Execute(session, s), c.Node.Line, c.Node.Column)));
        registry.AddCommand(new DelegateCommand("test_message", CommandKind.Hybrid, BuildMessage)
        {
            Args = [Num("index")],
            OwnTags = [new TagDefinition("smtp", Group: "source"), new TagDefinition("folder", TagParameter.String, "source")],
        });
        registry.AddCommand(new DelegateCommand("test_binary_save", CommandKind.Command, (ctx, c) => BuildBinary(ctx, c, save: true)) { Args = [Str("name")] });
        registry.AddCommand(new DelegateCommand("test_binary_load", CommandKind.Command, (ctx, c) => BuildBinary(ctx, c, save: false)) { Args = [Str("name")] });
        registry.AddCommand(new DelegateCommand("test_multiscript", CommandKind.Test, (_, c) =>
            new DelegateTest(_ =>
            {
                if (session.Current is not null)
                {
                    session.Current.NotApplicable ??= "test_multiscript runs Dovecot's sieve_before/sieve_after script sequences, which Sluice does not have";
                }
                return true;
            }, c.Node.Line, c.Node.Column))
        {
            Args = [List("scripts")],
        });
    }

    private static ActionInstruction Act(BoundCommand c, Action<RunState> action) => new(action, c.Node.Line, c.Node.Column);

    /// <summary>test_fail: marks the case failed and leaves its block.</summary>
    private object? BuildFail(BuildContext context, BoundCommand command)
    {
        StringValue? reason = context.String(command.Positional[0]);
        if (reason is null)
        {
            return null;
        }
        TestBlock.Scope? scope = context.Emit.Enclosing.OfType<TestBlock.Scope>().FirstOrDefault();
        return new FailInstruction(session, reason, scope?.End, command.Node.Line, command.Node.Column);
    }

    private sealed class FailInstruction(SuiteSession session, StringValue reason, Label? end, int line, int column) : Instruction(line, column)
    {
        public override int Execute(RunState state)
        {
            session.Fail($"test_fail at line {Line}: {reason.Evaluate(state)}");
            if (end is null)
            {
                state.Stopped = true;
                return -1;
            }
            return end.Target;
        }
    }

    private object? BuildSet(BuildContext context, BoundCommand command)
    {
        StringValue? name = context.String(command.Positional[0]);
        StringValue? value = context.String(command.Positional[1]);
        if (name is null || value is null)
        {
            return null;
        }
        return Act(command, s =>
        {
            string v = value.Evaluate(s);
            switch (name.Evaluate(s).ToLowerInvariant())
            {
                case "message":
                    s.SetMessage(SimpleSieveMessage.FromText(v));
                    break;
                case "envelope.from":
                    s.Envelope = s.Envelope with { From = v };
                    break;
                case "envelope.to":
                    s.Envelope = s.Envelope with { To = [v] };
                    break;
                case "envelope.auth":
                    s.Envelope = s.Envelope with { Auth = v };
                    break;
                default:
                    session.Config["test_set:" + name.Evaluate(s)] = v;
                    break;
            }
        });
    }

    private object? BuildConfigSet(BuildContext context, BoundCommand command)
    {
        StringValue? key = context.String(command.Positional[0]);
        StringValue? value = context.String(command.Positional[1]);
        if (key is null || value is null)
        {
            return null;
        }
        return Act(command, s => ApplyConfig(s, key.Evaluate(s), value.Evaluate(s)));
    }

    private object? BuildConfigUnset(BuildContext context, BoundCommand command)
    {
        StringValue? key = context.String(command.Positional[0]);
        return key is null ? null : Act(command, s => ApplyConfig(s, key.Evaluate(s), null));
    }

    /// <summary>The settings part 1 knows; the others are kept so part 2's extensions can read them.</summary>
    private void ApplyConfig(RunState state, string key, string? value)
    {
        if (value is null)
        {
            session.Config.Remove(key);
        }
        else
        {
            session.Config[key] = value;
        }
        state.Settings = session.Settings();
        switch (key)
        {
            case "sieve_variables_max_variable_size":
                state.Limits = state.Limits with
                {
                    MaxVariableSize = value is null ? new SieveLimits().MaxVariableSize : int.Parse(value, CultureInfo.InvariantCulture),
                };
                break;
            case "recipient_delimiter":
                state.RecipientDelimiters = value ?? "+";
                break;
            default:
                break;
        }
    }

    private object? BuildMailboxCreate(BuildContext context, BoundCommand command)
    {
        StringValue? name = context.String(command.Positional[0]);
        return name is null ? null : Act(command, s => session.Mailboxes.TryAdd(SuiteSession.NormalizeMailbox(name.Evaluate(s)), []));
    }

    private object? BuildCompile(BuildContext context, BoundCommand command)
    {
        StringValue? path = context.String(command.Positional[0]);
        if (path is null)
        {
            return null;
        }
        return new DelegateTest(s =>
        {
            string file = Path.Combine(session.ScriptDirectory, path.Evaluate(s));
            session.LastErrors.Clear();
            if (!File.Exists(file))
            {
                session.LastErrors.Add($"script file {file} not found");
                session.LastScript = null;
                return false;
            }
            SieveCompileOptions options = session.CompileOptions(SieveExtensionSet.Default.With(this));
            SieveCompileResult result = SieveCompiler.Compile(File.ReadAllText(file), options);
            session.LastCompile = result;
            session.LastScript = result.Script;
            session.LastErrors.AddRange(result.Diagnostics.Select(e => e.Message));
            session.NoteMissingExtensions(result.Errors);
            return result.Success;
        }, command.Node.Line, command.Node.Column);
    }

    private object? BuildRun(BuildContext context, BoundCommand command)
    {
        bool append = command.HasTag("append_result");
        return new DelegateTest(s =>
        {
            session.LastErrors.Clear();
            if (session.LastScript is not { } script)
            {
                session.LastErrors.Add("no script compiled");
                return false;
            }
            if (!append)
            {
                session.Result.Reset();
            }
            var runContext = new SieveRunContext
            {
                Message = s.Message,
                Envelope = s.Envelope,
                Host = session,
                Limits = s.Limits,
                RecipientDelimiters = s.RecipientDelimiters,
                Settings = session.Settings(),
                NamespaceVariables = session.NamespaceVariables,
            };
            var sub = new RunState(script, runContext, session.Result);
            SieveError? error = SieveInterpreter.Execute(script, sub, 0, out _);
            if (error is not null)
            {
                session.LastErrors.Add(error.Message);
            }
            // Warnings count as errors for test_error, as Pigeonhole's error handler lists both.
            session.LastErrors.AddRange(sub.Warnings.Select(w => w.Message));
            return error is null;
        }, command.Node.Line, command.Node.Column);
    }

    /// <summary>test_error and test_result_action: match keys against a list, all of it or its :index-th item.</summary>
    private static DelegateTest? BuildListTest(BuildContext context, BoundCommand command, Func<RunState, List<string>> source)
    {
        StringListValue? keys = context.StringList(command.Positional[0]);
        if (keys is null)
        {
            return null;
        }
        long index = command.Tags.TryGetValue("index", out BoundTag? tag) ? (long)((AstNumber)tag.Parameter!).Value : 0;
        MatchSpec match = context.MatchSpec(command);
        return new DelegateTest(s =>
        {
            List<string> values = source(s);
            if (index > 0)
            {
                values = index <= values.Count ? [values[(int)index - 1]] : [];
            }
            return match.Run(s, values, keys.Evaluate(s));
        }, command.Node.Line, command.Node.Column);
    }

    private object? BuildMessage(BuildContext context, BoundCommand command)
    {
        ulong index = ((AstNumber)command.Positional[0]).Value;
        StringValue? folder = null;
        if (command.Tags.TryGetValue("folder", out BoundTag? tag))
        {
            folder = context.String(tag.Parameter!);
            if (folder is null)
            {
                return null;
            }
        }
        else if (!command.HasTag("smtp"))
        {
            context.Error(command.Node, "test_message needs :smtp or :folder");
            return null;
        }
        bool Select(RunState s)
        {
            List<StoredMessage>? list;
            if (folder is null)
            {
                list = session.Outbox;
            }
            else
            {
                session.Mailboxes.TryGetValue(SuiteSession.NormalizeMailbox(folder.Evaluate(s)), out list);
            }
            if (list is null || index >= (ulong)list.Count)
            {
                return false;
            }
            StoredMessage m = list[(int)index];
            s.SetMessage(m.Message);
            if (folder is null)
            {
                s.Envelope = m.Envelope;
            }
            return true;
        }
        if (command.Node.IsTest)
        {
            return new DelegateTest(Select, command.Node.Line, command.Node.Column);
        }
        string where = folder is null ? "smtp" : "folder";
        return Act(command, s =>
        {
            if (!Select(s))
            {
                session.Fail($"no {where} message with index {index}");
            }
        });
    }

    /// <summary>A compiled script is an in-memory object: saving and loading it is keeping the reference.</summary>
    private object? BuildBinary(BuildContext context, BoundCommand command, bool save)
    {
        StringValue? name = context.String(command.Positional[0]);
        if (name is null)
        {
            return null;
        }
        return Act(command, s =>
        {
            string key = name.Evaluate(s);
            if (save)
            {
                session.SavedBinaries[key] = session.LastScript;
            }
            else if (session.SavedBinaries.TryGetValue(key, out SieveScript? script) && script is not null)
            {
                session.LastScript = script;
            }
            else
            {
                session.Fail($"no saved binary '{key}'");
            }
        });
    }
}
