namespace Sluice.Configuration.Settings;

/// <summary>
/// The validated, immutable configuration of one Sluice instance. Built once at start-up by
/// <see cref="SluiceSettingsReader"/>; a reload builds a new one rather than editing this.
/// </summary>
public sealed record SluiceSettings
{
    public required ServerSettings Server { get; init; }

    public required IReadOnlyDictionary<string, CertificateSettings> Certificates { get; init; }

    public required SessionSettings Session { get; init; }

    public required QueueSettings Queue { get; init; }

    /// <summary>The <c>[directory.&lt;id&gt;]</c> sections (SPEC §2.7), by id.</summary>
    public Directories.DirectoryRegistry Directories { get; init; } = Sluice.Directories.DirectoryRegistry.Empty;

    /// <summary>The <c>[sieve]</c> section and the stage script rules (SPEC §2.8).</summary>
    public SieveScriptSettings Sieve { get; init; } = SieveScriptSettings.Empty;

    /// <summary>The built-in defaults (SPEC §1): SMTP on 127.0.0.1:2525, HTTP on 127.0.0.1:8025.</summary>
    public static SluiceSettings Defaults { get; } = SluiceSettingsReader.Read(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()).Settings;
}
