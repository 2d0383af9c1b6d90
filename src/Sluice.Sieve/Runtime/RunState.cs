using System.Text;

namespace Sluice.Sieve.Runtime;

/// <summary>The mutable state of one run: variables, match values, result, budget, extension state.</summary>
internal sealed class RunState
{
    private readonly string[] _variables;
    private readonly Dictionary<object, object> _extensionState = [];
    private long _budget;

    public RunState(SieveScript script, SieveRunContext context, ResultBuilder result)
    {
        Context = context;
        Message = context.Message;
        Envelope = context.Envelope;
        Limits = context.Limits;
        Result = result;
        _variables = new string[script.VariableCount];
        Array.Fill(_variables, "");
        _budget = context.Limits.CpuInstructions;
        RecipientDelimiters = context.RecipientDelimiters;
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

    public string GetNamespaceVariable(string name) =>
        Context.NamespaceVariables.TryGetValue(name, out string? value) ? value : "";

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
