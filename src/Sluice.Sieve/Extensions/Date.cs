using System.Globalization;
using MimeKit.Utils;
using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// date (RFC 5260 §4-5): the date test on a header's date and currentdate on the host's clock, with
/// :zone / :originalzone; date parts as §4.2 lists them. Dates are read with MimeKit's RFC 2822 parser.
/// </summary>
internal sealed class DateExtension : SieveExtension
{
    private static readonly string[] PartNames =
        ["year", "month", "day", "date", "julian", "hour", "minute", "second", "time", "iso8601", "std11", "zone", "weekday"];

    public override string Name => "date";

    public override void Register(ExtensionRegistry registry)
    {
        TagDefinition[] zones = [new("zone", TagParameter.String, "zone", "time zone"), new("originalzone", Group: "zone")];
        registry.AddCommand(new DelegateCommand("date", CommandKind.Test, BuildDate)
        {
            Args = [Str("header name"), Str("date part"), List("key list")],
            Uses = TagFamilies.Comparator | TagFamilies.MatchType,
            OwnTags = zones,
        });
        registry.AddCommand(new DelegateCommand("currentdate", CommandKind.Test, BuildCurrent)
        {
            Args = [Str("date part"), List("key list")],
            Uses = TagFamilies.Comparator | TagFamilies.MatchType,
            OwnTags = [zones[0]],
        });
    }

    /// <summary>"+0100" / "-0530" as an offset; null when malformed.</summary>
    internal static TimeSpan? ParseZone(string zone)
    {
        if (zone.Length != 5 || zone[0] is not ('+' or '-') || !zone.AsSpan(1).ToString().All(char.IsAsciiDigit))
        {
            return null;
        }
        int hours = int.Parse(zone.AsSpan(1, 2), CultureInfo.InvariantCulture);
        int minutes = int.Parse(zone.AsSpan(3, 2), CultureInfo.InvariantCulture);
        if (hours > 23 || minutes > 59)
        {
            return null;
        }
        var span = new TimeSpan(hours, minutes, 0);
        return zone[0] == '-' ? -span : span;
    }

    private static bool CheckPart(BuildContext context, AstArgument argument, StringValue part)
    {
        if (part is ConstantString c && !PartNames.Contains(c.Value, StringComparer.OrdinalIgnoreCase))
        {
            context.Error(argument, $"invalid date part '{c.Value}'");
            return false;
        }
        return true;
    }

    private static bool CheckZone(BuildContext context, BoundCommand command, out StringValue? zone)
    {
        zone = null;
        if (!command.Tags.TryGetValue("zone", out BoundTag? tag))
        {
            return true;
        }
        zone = context.String(tag.Parameter!);
        if (zone is ConstantString c && ParseZone(c.Value) is null)
        {
            context.Error(tag.Parameter!, $"invalid time zone '{c.Value}' for the :zone argument (expected +hhmm or -hhmm)");
            return false;
        }
        return zone is not null;
    }

    private static object? BuildDate(BuildContext context, BoundCommand command)
    {
        StringValue? header = context.String(command.Positional[0]);
        StringValue? part = context.String(command.Positional[1]);
        StringListValue? keys = context.StringList(command.Positional[2]);
        if (header is null || part is null || keys is null || !CheckPart(context, command.Positional[1], part) || !CheckZone(context, command, out StringValue? zone))
        {
            return null;
        }
        bool original = command.HasTag("originalzone");
        IndexSpec index = IndexExtension.Spec(command);
        MatchSpec match = context.MatchSpec(command);
        return new DelegateTest(s =>
        {
            string name = header.Evaluate(s);
            string p = part.Evaluate(s);
            TimeSpan offset = Offset(s, zone);
            var values = new List<string>();
            foreach (string field in index.Pick(s.Message.GetHeaderValues(name)))
            {
                s.Tick();
                if (ParseDate(name, field) is not { } date)
                {
                    continue;
                }
                DateTimeOffset shown = original ? date : date.ToOffset(offset);
                if (Part(shown, p) is { } value)
                {
                    values.Add(value);
                }
            }
            return match.Run(s, values, keys.Evaluate(s));
        }, command.Node.Line, command.Node.Column);
    }

    private static TimeSpan Offset(RunState state, StringValue? zone)
    {
        if (zone is null)
        {
            return state.Host.Now.Offset;
        }
        string text = zone.Evaluate(state);
        return ParseZone(text) ?? throw new SieveRuntimeException($"invalid time zone '{text}' for the :zone argument");
    }

    /// <summary>The date of a field; for Received it is what follows the last ';' (RFC 5260 §4.1).</summary>
    internal static DateTimeOffset? ParseDate(string header, string value)
    {
        if (string.Equals(header, "received", StringComparison.OrdinalIgnoreCase))
        {
            int semicolon = value.LastIndexOf(';');
            if (semicolon < 0)
            {
                return null;
            }
            value = value[(semicolon + 1)..];
        }
        return DateUtils.TryParse(value.Trim(), out DateTimeOffset date) ? date : null;
    }

    private static object? BuildCurrent(BuildContext context, BoundCommand command)
    {
        StringValue? part = context.String(command.Positional[0]);
        StringListValue? keys = context.StringList(command.Positional[1]);
        if (part is null || keys is null || !CheckPart(context, command.Positional[0], part) || !CheckZone(context, command, out StringValue? zone))
        {
            return null;
        }
        MatchSpec match = context.MatchSpec(command);
        return new DelegateTest(s =>
        {
            DateTimeOffset now = s.Host.Now;
            if (zone is not null)
            {
                now = now.ToOffset(Offset(s, zone));
            }
            string? value = Part(now, part.Evaluate(s));
            return value is not null && match.Run(s, [value], keys.Evaluate(s));
        }, command.Node.Line, command.Node.Column);
    }

    /// <summary>One date part (RFC 5260 §4.2); null for an unknown part name.</summary>
    internal static string? Part(DateTimeOffset d, string part)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        return part.ToLowerInvariant() switch
        {
            "year" => d.Year.ToString("D4", inv),
            "month" => d.Month.ToString("D2", inv),
            "day" => d.Day.ToString("D2", inv),
            "date" => d.ToString("yyyy-MM-dd", inv),
            "julian" => ((long)Math.Floor((d.DateTime.Date - new DateTime(1858, 11, 17)).TotalDays)).ToString(inv),
            "hour" => d.Hour.ToString("D2", inv),
            "minute" => d.Minute.ToString("D2", inv),
            "second" => d.Second.ToString("D2", inv),
            "time" => d.ToString("HH:mm:ss", inv),
            "iso8601" => d.ToString("yyyy-MM-dd'T'HH:mm:ss", inv) + IsoZone(d.Offset),
            "std11" => d.ToString("ddd, dd MMM yyyy HH:mm:ss ", inv) + Zone(d.Offset),
            "zone" => Zone(d.Offset),
            "weekday" => ((int)d.DayOfWeek).ToString(inv),
            _ => null,
        };
    }

    private static string Zone(TimeSpan offset) =>
        (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString("hhmm", CultureInfo.InvariantCulture);

    private static string IsoZone(TimeSpan offset) =>
        offset == TimeSpan.Zero ? "Z" : (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString("hh\\:mm", CultureInfo.InvariantCulture);
}

/// <summary>Which occurrence of a header field a test looks at (RFC 5260 §6 :index / :last).</summary>
internal readonly record struct IndexSpec(long Index, bool Last)
{
    public IEnumerable<string> Pick(IReadOnlyList<string> values)
    {
        if (Index <= 0)
        {
            return values;
        }
        if (Index > values.Count)
        {
            return [];
        }
        return [Last ? values[values.Count - (int)Index] : values[(int)Index - 1]];
    }
}

/// <summary>index (RFC 5260 §6): :index and :last on header, address and date.</summary>
internal sealed class IndexExtension : SieveExtension
{
    public override string Name => "index";

    public override void Register(ExtensionRegistry registry)
    {
        foreach (string command in new[] { "header", "address", "date" })
        {
            registry.AddTag(command, new TagDefinition("index", TagParameter.Number, null, "field number"));
            registry.AddTag(command, new TagDefinition("last"));
        }
    }

    public static IndexSpec Spec(BoundCommand command) =>
        command.Tags.TryGetValue("index", out BoundTag? tag)
            ? new IndexSpec((long)Math.Min(((AstNumber)tag.Parameter!).Value, int.MaxValue), command.HasTag("last"))
            : default;

    /// <summary>:last without :index is an error (RFC 5260 §6).</summary>
    public static bool Check(BuildContext context, BoundCommand command)
    {
        if (command.HasTag("last") && !command.HasTag("index"))
        {
            BoundTag last = command.Tags["last"];
            context.Error(last.Tag.Line, last.Tag.Column, $"the :last tag for the {command.Describe} cannot be specified without the :index tag");
            return false;
        }
        if (command.Tags.TryGetValue("index", out BoundTag? index) && ((AstNumber)index.Parameter!).Value == 0)
        {
            context.Error(index.Tag.Line, index.Tag.Column, $"the :index argument of the {command.Describe} must be 1 or more");
            return false;
        }
        return true;
    }
}
