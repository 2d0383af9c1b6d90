namespace Sluice.Sieve.Runtime;

/// <summary>
/// Collects the actions of a run and applies RFC 5228 §2.10 rules: duplicates merge, the implicit keep
/// is cancelled by the actions that cancel it, reject cannot stand beside delivering actions.
/// </summary>
internal sealed class ResultBuilder
{
    private readonly List<SieveAction> _actions = [];

    public bool ImplicitKeep { get; private set; } = true;

    public IReadOnlyList<SieveAction> Actions => _actions;

    /// <summary>The edited message at this moment (null while unedited): actions keep the message they saw.</summary>
    public Func<ISieveMessage?>? Snapshot { get; set; }

    /// <summary>Flags the implicit keep stores with (imap4flags sets them).</summary>
    public IReadOnlyList<string> ImplicitKeepFlags { get; set; } = [];

    public void Reset()
    {
        _actions.Clear();
        ImplicitKeep = true;
        ImplicitKeepFlags = [];
    }

    public void Keep(IReadOnlyList<string> flags, SieveLimits limits)
    {
        CheckNoReject("keep");
        ImplicitKeep = false;
        int existing = _actions.FindIndex(a => a is KeepAction);
        if (existing >= 0)
        {
            _actions[existing] = new KeepAction(flags) { Message = Snapshot?.Invoke() };
            return;
        }
        Add(new KeepAction(flags), limits);
    }

    public void Discard(SieveLimits limits)
    {
        ImplicitKeep = false;
        if (!_actions.Any(a => a is DiscardAction))
        {
            Add(new DiscardAction(), limits);
        }
    }

    public void FileInto(FileIntoAction action, SieveLimits limits)
    {
        CheckNoReject("fileinto");
        if (!action.Copy)
        {
            ImplicitKeep = false;
        }
        int existing = _actions.FindIndex(a => a is FileIntoAction f && string.Equals(f.Mailbox, action.Mailbox, StringComparison.Ordinal));
        if (existing >= 0)
        {
            var old = (FileIntoAction)_actions[existing];
            _actions[existing] = action with { Copy = old.Copy && action.Copy, Create = old.Create || action.Create, Message = Snapshot?.Invoke() };
            return;
        }
        Add(action, limits);
    }

    public void Redirect(RedirectAction action, SieveLimits limits)
    {
        CheckNoReject("redirect");
        if (!action.Copy)
        {
            ImplicitKeep = false;
        }
        int existing = _actions.FindIndex(a => a is RedirectAction r && string.Equals(r.Address, action.Address, StringComparison.OrdinalIgnoreCase));
        if (existing >= 0)
        {
            var old = (RedirectAction)_actions[existing];
            _actions[existing] = old with { Copy = old.Copy && action.Copy };
            return;
        }
        if (_actions.Count(a => a is RedirectAction) >= limits.Redirects)
        {
            throw new SieveRuntimeException($"too many redirect actions (the limit is {limits.Redirects})");
        }
        Add(action, limits);
    }

    public void Reject(RejectAction action, SieveLimits limits)
    {
        SieveAction? conflict = _actions.FirstOrDefault(a => a is KeepAction or FileIntoAction or RedirectAction);
        if (conflict is not null)
        {
            throw new SieveRuntimeException($"{action.Name} action conflicts with earlier {conflict.Name} action");
        }
        if (_actions.Any(a => a is RejectAction))
        {
            throw new SieveRuntimeException($"duplicate {action.Name} action");
        }
        ImplicitKeep = false;
        Add(action, limits);
    }

    private void CheckNoReject(string name)
    {
        if (_actions.FirstOrDefault(a => a is RejectAction) is { } reject)
        {
            throw new SieveRuntimeException($"{name} action conflicts with earlier {reject.Name} action");
        }
    }

    private void Add(SieveAction action, SieveLimits limits)
    {
        if (_actions.Count >= limits.MaxActions)
        {
            throw new SieveRuntimeException($"too many actions (the limit is {limits.MaxActions})");
        }
        _actions.Add(Snapshot?.Invoke() is { } message ? action with { Message = message } : action);
    }

    /// <summary>The actions with the implicit keep appended when it still stands.</summary>
    public List<SieveAction> Final()
    {
        var list = new List<SieveAction>(_actions);
        if (ImplicitKeep)
        {
            list.Add(new KeepAction(ImplicitKeepFlags, Implicit: true) { Message = Snapshot?.Invoke() });
        }
        return list;
    }
}
