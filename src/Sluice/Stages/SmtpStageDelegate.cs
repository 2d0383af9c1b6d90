namespace Sluice.Stages;

/// <summary>
/// One step of a stage pipeline. Most steps finish synchronously, so it returns a ValueTask: no
/// allocation when nothing awaits. A step that refuses sets <see cref="SmtpStageContext.Reply"/>
/// and does not call the next one.
/// </summary>
public delegate ValueTask SmtpStageDelegate<in TContext>(TContext context)
    where TContext : SmtpStageContext;
