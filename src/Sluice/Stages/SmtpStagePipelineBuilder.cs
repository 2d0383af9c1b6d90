namespace Sluice.Stages;

/// <summary>
/// Builds the pipeline of one session stage, ASP.NET style: built-in checks first (each with a name,
/// so a host can see, remove or insert around them), then the host's middleware, then the stage's
/// terminal step, which commits the state change. Built once at start-up.
/// </summary>
public sealed class SmtpStagePipelineBuilder<TContext>
    where TContext : SmtpStageContext
{
    private readonly List<(string Name, Func<SmtpStageDelegate<TContext>, SmtpStageDelegate<TContext>> Component)> _components = [];

    /// <summary>The names of the steps in order (built-ins are named <c>sluice.*</c>).</summary>
    public IReadOnlyList<string> Names => _components.Select(c => c.Name).ToList();

    /// <summary>Adds a middleware at the end: it gets the next step and returns its own.</summary>
    public SmtpStagePipelineBuilder<TContext> Use(Func<SmtpStageDelegate<TContext>, SmtpStageDelegate<TContext>> middleware, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        _components.Add((name ?? $"middleware-{_components.Count}", middleware));
        return this;
    }

    /// <summary>Adds an inline middleware at the end: <c>(context, next) =&gt; ...</c>.</summary>
    public SmtpStagePipelineBuilder<TContext> Use(Func<TContext, SmtpStageDelegate<TContext>, ValueTask> middleware, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        return Use(next => context => middleware(context, next), name);
    }

    /// <summary>Inserts a middleware just before the step named <paramref name="before"/>.</summary>
    public SmtpStagePipelineBuilder<TContext> Insert(string before, Func<SmtpStageDelegate<TContext>, SmtpStageDelegate<TContext>> middleware, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        var index = IndexOf(before);
        _components.Insert(index, (name ?? $"middleware-{_components.Count}", middleware));
        return this;
    }

    /// <summary>Removes the step named <paramref name="name"/> (e.g. a built-in check the host replaces).</summary>
    public SmtpStagePipelineBuilder<TContext> Remove(string name)
    {
        _components.RemoveAt(IndexOf(name));
        return this;
    }

    /// <summary>Composes the steps in front of <paramref name="terminal"/>.</summary>
    public SmtpStageDelegate<TContext> Build(SmtpStageDelegate<TContext> terminal)
    {
        var pipeline = terminal;
        for (var i = _components.Count - 1; i >= 0; i--)
        {
            pipeline = _components[i].Component(pipeline);
        }
        return pipeline;
    }

    private int IndexOf(string name)
    {
        var index = _components.FindIndex(c => c.Name == name);
        return index >= 0 ? index : throw new ArgumentException($"No pipeline step named '{name}'.", nameof(name));
    }
}
