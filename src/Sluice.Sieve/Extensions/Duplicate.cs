using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// duplicate (RFC 7352): whether a message with this id was seen before, asked of the host, which keeps
/// the record (and should record only when the delivery succeeds, §3). The id is the Message-ID, the
/// named header's value (:header) or the given string (:uniqueid); :handle separates trackers.
/// </summary>
internal sealed class Duplicate : SieveExtension
{
    /// <summary>RFC 7352 §3.4 leaves the default period to the implementation: a week.</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(7);

    public override string Name => "duplicate";

    public override void Register(ExtensionRegistry registry) =>
        registry.AddCommand(new DelegateCommand("duplicate", CommandKind.Test, Build)
        {
            OwnTags =
            [
                new TagDefinition("handle", TagParameter.String, null, "handle"),
                new TagDefinition("header", TagParameter.String, "id source", "header name"),
                new TagDefinition("uniqueid", TagParameter.String, "id source", "unique id"),
                new TagDefinition("seconds", TagParameter.Number, null, "timeout"),
                new TagDefinition("last"),
            ],
        });

    private static object? Build(BuildContext context, BoundCommand command)
    {
        StringValue? handle = Param(context, command, "handle", out bool ok1);
        StringValue? header = Param(context, command, "header", out bool ok2);
        StringValue? unique = Param(context, command, "uniqueid", out bool ok3);
        if (!ok1 || !ok2 || !ok3)
        {
            return null;
        }
        TimeSpan period = command.Tags.TryGetValue("seconds", out BoundTag? sec)
            ? TimeSpan.FromSeconds(Math.Min(((AstNumber)sec.Parameter!).Value, (ulong)TimeSpan.FromDays(3650).TotalSeconds))
            : DefaultPeriod;
        bool last = command.HasTag("last");
        return new DelegateTest(s =>
        {
            string? id;
            if (unique is not null)
            {
                id = unique.Evaluate(s);
            }
            else
            {
                IReadOnlyList<string> values = s.Message.GetHeaderValues(header?.Evaluate(s) ?? "Message-ID");
                id = values.Count > 0 ? values[0].Trim() : null;
            }
            if (string.IsNullOrEmpty(id))
            {
                return false;
            }
            // The handle is prefixed with ":last " when :last asks the host to restart the period at each sighting.
            string h = handle?.Evaluate(s) ?? "";
            return s.Host.CheckDuplicate(last ? ":last " + h : h, id, period);
        }, command.Node.Line, command.Node.Column);
    }

    private static StringValue? Param(BuildContext context, BoundCommand command, string tag, out bool ok)
    {
        ok = true;
        if (!command.Tags.TryGetValue(tag, out BoundTag? bound))
        {
            return null;
        }
        StringValue? value = context.String(bound.Parameter!);
        ok = value is not null;
        return value;
    }
}
