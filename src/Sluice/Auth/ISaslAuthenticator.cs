using Sluice.Auth.Sasl;

namespace Sluice.Auth;

/// <summary>Who a successful AUTH proved to be, and the addresses it may send from (<c>must-match-sender</c>).</summary>
public sealed record AuthenticatedUser(string Name, IReadOnlyList<string> Addresses);

/// <summary>Checks SASL credentials: passwords against a directory, tokens against the OAuth settings.</summary>
public interface ISaslAuthenticator
{
    /// <summary>The user, or null when the credentials are not good.</summary>
    ValueTask<AuthenticatedUser?> AuthenticateAsync(string directory, SaslCredentials credentials, CancellationToken cancellationToken);
}
