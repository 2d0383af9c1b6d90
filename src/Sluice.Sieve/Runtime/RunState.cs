using System.Text;

namespace Sluice.Sieve.Runtime;

/// <summary>The mutable state of one run: variables, match values, result, budget, extension state.</summary>
internal sealed class RunState
{
    private string[] _variables;
    private readonly Instruction[] _program;
    private readonly Dictionary<object, object> _extensionState = [];
    private long _budget;

    public RunState(SieveScript script, SieveRunContext context, ResultBuilder result)
    {
        Context = context;
        Message = context.Message;
        Envelope = context.Envelope;
        Limits = context.Limits;
        Result = result;
        _program = script.Program;
        _variables = new string[script.VariableCount];
        Array.Fill(_variables, "");
        _budget = context.Limits.CpuInstructions;
        RecipientDelimiters = context.RecipientDelimiters;
        Settings = context.Settings;
        result.Snapshot = TakeSnapshot;
    }

    private ISieveMessage? _snapshot;

    /// <summary>The edited message as an immutable copy for an action; one copy per state of the message,
    /// its cost charged to the budget (a big message cannot be copied without end).</summary>
    private ISieveMessage? TakeSnapshot()
    {
        if (!Edited)
        {
            return null;
        }
        if (_snapshot is null)
        {
            Tick(1 + Message.Size / 65536);
            _snapshot = new SimpleSieveMessage(Message.RawBytes.Span, Message.Flags);
        }
        return _snapshot;
    }

    /// <summary>Problems that did not stop the run (an invalid computed regex is a non-match and a warning).</summary>
    public List<SieveError> Warnings { get; } = [];

    public void Warn(string message)
    {
        Instruction? at = ProgramCounter >= 0 && ProgramCounter < _program.Length ? _program[ProgramCounter] : null;
        if (Warnings.Count < 100)
        {
            Warnings.Add(new SieveError(at?.Line ?? 0, at?.Column ?? 0, message, SieveErrorSeverity.Warning));
        }
    }

    /// <summary>Extension settings (editheader limits, include limits, regex timeout...); settable for the testsuite.</summary>
    public SieveSettings Settings { get; set; }

    /// <summary>Variables declared global (RFC 6609 §3.4), shared by a script and everything it includes; keys are lower case.</summary>
    public Dictionary<string, string> Globals { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Set by return (RFC 6609 §3.3): the running script ends, the one that included it goes on.</summary>
    public bool Returning { get; set; }

    /// <summary>True once editheader or replace changed the message.</summary>
    public bool Edited { get; private set; }

    /// <summary>Depth of includes being run now.</summary>
    public int IncludeDepth { get; set; }

    /// <summary>Scripts an include :once has already run (RFC 6609 §3.2).</summary>
    public HashSet<SieveScript> IncludedOnce { get; } = [];

    /// <summary>The enclosing foreverypart loops, innermost last (RFC 5703 §3).</summary>
    public List<PartLoop> PartLoops { get; } = [];

    /// <summary>The part foreverypart is at, or null outside any loop.</summary>
    public MimePartInfo? CurrentPart => PartLoops.Count == 0 ? null : PartLoops[^1].Current;

    private MimeView? _mime;

    /// <summary>The message's MIME structure, parsed on first use and again after edits.</summary>
    public MimeView Mime()
    {
        if (_mime is null)
        {
            Tick(1 + Message.Size / 65536);
            _mime = MimeView.Parse(Message, Settings);
        }
        return _mime;
    }

    /// <summary>The message as an editable one (editheader, replace); later reads see the edits.</summary>
    public EditableMessage Edit()
    {
        EditableMessage editable = Editable();
        Edited = true;
        _mime = null;
        _snapshot = null;
        // Every edit means writing the message again later: charge for it now.
        Tick(1 + editable.Body.Length / 65536);
        return editable;
    }

    /// <summary>The message in editable form, converted once per run (the copy charged to the budget), not yet marked edited.</summary>
    public EditableMessage Editable()
    {
        if (Message is EditableMessage editable)
        {
            return editable;
        }
        Tick(1 + Message.Size / 65536);
        editable = EditableMessage.From(Message);
        // Unedited, it reads the same as the original: later tests see no difference.
        Message = editable;
        return editable;
    }

    /// <summary>Replaces the message with an edited one (replace builds a new one).</summary>
    public void SetEditedMessage(EditableMessage message)
    {
        Message = message;
        Edited = true;
        _mime = null;
        _snapshot = null;
        Tick(1 + message.Body.Length / 65536);
    }

    /// <summary>Call after changing the editable message, so MIME views are rebuilt.</summary>
    public void MessageEdited()
    {
        _mime = null;
        _snapshot = null;
        // A part loop walks the structure it started on; edits made inside it are seen after it.
    }

    /// <summary>Runs a script's instructions with its own variables, then restores the caller's.</summary>
    public string[] SwapVariables(string[] variables)
    {
        string[] old = _variables;
        _variables = variables;
        return old;
    }

    /// <summary>Characters that separate user and detail (subaddress); settable for the testsuite.</summary>
    public string RecipientDelimiters { get; set; }

    public SieveRunContext Context { get; }

    public ISieveMessage Message { get; private set; }

    public SieveEnvelope Envelope { get; set; }

    public ISieveHost Host => Context.Host;

    public SieveLimits Limits { get; set; }

    public ResultBuilder Result { get; }

    public bool Stopped { get; set; }

    /// <summary>The index of the instruction running (or that failed).</summary>
    public int ProgramCounter { get; set; }

    public long InstructionsUsed => Context.Limits.CpuInstructions - _budget;

    /// <summary>${0}.. from the last successful :matches; empty before any.</summary>
    public IReadOnlyList<string> MatchValues { get; private set; } = [];

    /// <summary>Raised when the message under test changes (the testsuite does that), so extensions can reset.</summary>
    public event Action<RunState>? MessageChanged;

    public void SetMessage(ISieveMessage message)
    {
        Message = message;
        _mime = null;
        _snapshot = null;
        Edited = false;
        PartLoops.Clear();
        MessageChanged?.Invoke(this);
    }

    /// <summary>Charges the budget; throws when it is spent, which ends the run.</summary>
    public void Tick(long cost = 1)
    {
        _budget -= cost;
        if (_budget < 0)
        {
            throw new SieveRuntimeException($"execution exceeded the CPU limit of {Context.Limits.CpuInstructions} instructions", budgetExhausted: true);
        }
    }

    public string GetVariable(int index) => _variables[index];

    public void SetVariable(int index, string value) => _variables[index] = LimitSize(value);

    public string GetMatchValue(int index) => index < MatchValues.Count ? MatchValues[index] : "";

    public void SetMatchValues(IReadOnlyList<string> values) =>
        MatchValues = values.Select(LimitSize).ToArray();

    public string GetNamespaceVariable(string name)
    {
        if (name.StartsWith("global.", StringComparison.Ordinal))
        {
            return Globals.TryGetValue(name[7..], out string? global) ? global : "";
        }
        return Context.NamespaceVariables.TryGetValue(name, out string? value) ? value : "";
    }

    public T GetState<T>(object key, Func<T> create)
        where T : class
    {
        if (!_extensionState.TryGetValue(key, out object? value))
        {
            value = create();
            _extensionState[key] = value;
        }
        return (T)value;
    }

    /// <summary>Cuts a value to the variable size limit without splitting a UTF-8 sequence.</summary>
    public string LimitSize(string value)
    {
        int max = Limits.MaxVariableSize;
        if (value.Length * 3 <= max || Encoding.UTF8.GetByteCount(value) <= max)
        {
            return value;
        }
        int bytes = 0;
        int i = 0;
        while (i < value.Length)
        {
            int step = char.IsSurrogatePair(value, i) ? 2 : 1;
            int size = Encoding.UTF8.GetByteCount(value.AsSpan(i, step));
            if (bytes + size > max)
            {
                break;
            }
            bytes += size;
            i += step;
        }
        return value[..i];
    }
}

/// <summary>One foreverypart loop: the parts it walks and where it is.</summary>
internal sealed class PartLoop(IReadOnlyList<MimePartInfo> parts, string? name)
{
    public IReadOnlyList<MimePartInfo> Parts { get; } = parts;

    public string? Name { get; } = name;

    public int Position { get; set; }

    public MimePartInfo Current => Parts[Position];
}
