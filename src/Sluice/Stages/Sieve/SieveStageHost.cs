using System.Net;
using Sluice.Configuration.Settings;
using Sluice.Directories;
using Sluice.Sieve;

namespace Sluice.Stages.Sieve;

/// <summary>What every stage script shares: the directories (extlists), the script table (include),
/// the duplicate store and the program runner. One per built pipeline.</summary>
internal sealed class SieveStageServices(SluiceSettings settings, TimeProvider time)
{
    public SluiceSettings Settings { get; } = settings;

    public TimeProvider Time { get; } = time;

    public SieveDuplicateStore Duplicates { get; } = new(time);

    public SieveProgramRunner Programs { get; } = new(settings.Sieve.AllowedPrograms, settings.Sieve.ProgramTimeout);
}

/// <summary>The <see cref="ISieveHost"/> of one run at an SMTP stage.</summary>
internal sealed class SieveStageHost(SieveStageServices services, SmtpSessionInfo session) : SieveHost
{
    public override DateTimeOffset Now => services.Time.GetUtcNow();

    /// <summary>RFC 5183 items an MTA knows.</summary>
    public override string? GetEnvironmentItem(string name) => name.ToLowerInvariant() switch
    {
        "domain" or "host" => services.Settings.Server.Hostname,
        "location" => "MTA",
        "phase" => "during",
        "name" => "Sluice",
        "remote-ip" => session.RemoteEndPoint?.Address is { } ip ? SieveStageMiddleware.Text(ip) : null,
        "version" => typeof(SieveStageHost).Assembly.GetName().Version?.ToString(),
        _ => null,
    };

    public override bool IsValidList(string list) => SieveSettingsReader.IsValidList(services.Settings.Directories, list);

    /// <summary><c>"&lt;directory&gt;/&lt;lookup&gt;"</c>: the value, or for an address its network, is in the lookup list.</summary>
    public override bool? ListContains(string list, string value)
    {
        if (!SieveSettingsReader.TryGetList(services.Settings.Directories, list, out ILookupList? lookup) || lookup is null)
        {
            return null;
        }
        return lookup.Contains(value) || (IPAddress.TryParse(value.Trim('[', ']'), out var address) && lookup.Contains(address));
    }

    public override string? GetIncludedScript(string name, bool isGlobal) =>
        services.Settings.Sieve.Texts.TryGetValue(name, out var text) ? text : null;

    public override bool CheckDuplicate(string handle, string id, TimeSpan period) =>
        services.Duplicates.CheckAndRecord(handle, id, period);

    public override SieveExecuteResult? Execute(string program, IReadOnlyList<string> arguments, string? input) =>
        services.Programs.Run(program, arguments, input);
}
