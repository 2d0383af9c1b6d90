using System.Globalization;
using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// envelope-dsn (RFC 6009 §4-5): the envelope parts notify, orcpt, ret and envid, and :notify / :ret on
/// redirect. The parts are read in Envelope; this registers the capability and the redirect tags.
/// </summary>
internal sealed class EnvelopeDsn : SieveExtension
{
    public override string Name => "envelope-dsn";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddTag("redirect", new TagDefinition("notify", TagParameter.String, null, "notify options"));
        registry.AddTag("redirect", new TagDefinition("ret", TagParameter.String, null, "return option"));
    }

    /// <summary>What the DSN and deliver-by tags of a redirect add to its action; null when none is given.</summary>
    internal static Func<RunState, RedirectAction, RedirectAction>? RedirectOptions(BuildContext context, BoundCommand command, out bool ok)
    {
        ok = true;
        StringValue? notify = Param(context, command, "notify", ref ok);
        StringValue? ret = Param(context, command, "ret", ref ok);
        StringValue? absolute = Param(context, command, "bytimeabsolute", ref ok);
        StringValue? mode = Param(context, command, "bymode", ref ok);
        long? relative = command.Tags.TryGetValue("bytimerelative", out BoundTag? rel) ? (long)Math.Min(((AstNumber)rel.Parameter!).Value, int.MaxValue) : null;
        bool trace = command.HasTag("bytrace");
        if (ret is ConstantString r && !IsRet(r.Value))
        {
            context.Error(command.Tags["ret"].Parameter!, $"redirect :ret must be FULL or HDRS, not '{r.Value}'");
            ok = false;
        }
        if (notify is ConstantString n && !IsNotify(n.Value))
        {
            context.Error(command.Tags["notify"].Parameter!, $"redirect :notify must be NEVER or a list of SUCCESS, FAILURE and DELAY, not '{n.Value}'");
            ok = false;
        }
        if (mode is ConstantString m && !IsMode(m.Value))
        {
            context.Error(command.Tags["bymode"].Parameter!, $"redirect :bymode must be \"notify\" or \"return\", not '{m.Value}'");
            ok = false;
        }
        if ((mode is not null || trace) && absolute is null && relative is null)
        {
            context.Error(command.Node, "redirect :bymode and :bytrace need :bytimerelative or :bytimeabsolute");
            ok = false;
        }
        if (!ok || (notify is null && ret is null && absolute is null && relative is null))
        {
            return null;
        }
        return (s, action) =>
        {
            string? n = notify?.Evaluate(s);
            string? r = ret?.Evaluate(s);
            string? md = mode?.Evaluate(s);
            if (n is not null && !IsNotify(n))
            {
                throw new SieveRuntimeException($"redirect :notify must be NEVER or a list of SUCCESS, FAILURE and DELAY, not '{n}'");
            }
            if (r is not null && !IsRet(r))
            {
                throw new SieveRuntimeException($"redirect :ret must be FULL or HDRS, not '{r}'");
            }
            long? by = relative;
            if (absolute is not null)
            {
                string text = absolute.Evaluate(s);
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset when))
                {
                    throw new SieveRuntimeException($"redirect :bytimeabsolute '{text}' is not a date-time (RFC 3339)");
                }
                by = (long)(when - s.Host.Now).TotalSeconds;
            }
            return action with
            {
                Notify = n?.ToUpperInvariant(),
                Ret = r?.ToUpperInvariant(),
                ByTime = by,
                ByMode = md?.ToLowerInvariant() ?? (by is null ? null : "return"),
                ByTrace = trace,
            };
        };
    }

    private static StringValue? Param(BuildContext context, BoundCommand command, string tag, ref bool ok)
    {
        if (!command.Tags.TryGetValue(tag, out BoundTag? bound))
        {
            return null;
        }
        StringValue? value = context.String(bound.Parameter!);
        ok &= value is not null;
        return value;
    }

    private static bool IsRet(string value) => value.Equals("FULL", StringComparison.OrdinalIgnoreCase) || value.Equals("HDRS", StringComparison.OrdinalIgnoreCase);

    private static bool IsMode(string value) => value.Equals("notify", StringComparison.OrdinalIgnoreCase) || value.Equals("return", StringComparison.OrdinalIgnoreCase);

    private static bool IsNotify(string value)
    {
        string[] items = value.Split(',', StringSplitOptions.TrimEntries);
        if (items.Length == 1 && items[0].Equals("NEVER", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return items.All(i => i.Equals("SUCCESS", StringComparison.OrdinalIgnoreCase) || i.Equals("FAILURE", StringComparison.OrdinalIgnoreCase) || i.Equals("DELAY", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>envelope-deliverby (RFC 6009 §6): the by* envelope parts and the deliver-by tags of redirect.</summary>
internal sealed class EnvelopeDeliverBy : SieveExtension
{
    public override string Name => "envelope-deliverby";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddTag("redirect", new TagDefinition("bytimerelative", TagParameter.Number, "bytime", "seconds"));
        registry.AddTag("redirect", new TagDefinition("bytimeabsolute", TagParameter.String, "bytime", "date-time"));
        registry.AddTag("redirect", new TagDefinition("bymode", TagParameter.String, null, "mode"));
        registry.AddTag("redirect", new TagDefinition("bytrace"));
    }
}
