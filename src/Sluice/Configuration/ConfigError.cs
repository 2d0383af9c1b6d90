using Sluice.Configuration.Toml;

namespace Sluice.Configuration;

/// <summary>One configuration problem: where it is, which key, and what is wrong.</summary>
public sealed record ConfigError(ConfigSource Source, string Key, string Message)
{
    /// <summary>The <c>FILE:LINE: KEY: message</c> form that <c>--check</c> prints.</summary>
    public override string ToString() => $"{Source}: {Key}: {Message}";
}

/// <summary>Thrown at start-up when the configuration has errors; carries every one of them.</summary>
public sealed class SluiceConfigurationException : Exception
{
    public SluiceConfigurationException(IReadOnlyList<ConfigError> errors)
        : base("Invalid Sluice configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public SluiceConfigurationException()
        : this([])
    {
    }

    public SluiceConfigurationException(string message)
        : base(message)
    {
        Errors = [];
    }

    public SluiceConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<ConfigError> Errors { get; } = [];
}
