using Sluice.Auth.Sasl;
using Sluice.Configuration.Settings;
using Sluice.Directories;

namespace Sluice.Auth;

/// <summary>
/// Checks passwords against the users of <c>session.auth.directory</c> and bearer tokens against
/// <c>session.auth.oauth.*</c>. Password hashes (bcrypt, Argon2...) are slow on purpose, so they run
/// on the thread pool with at most one check per core at a time: a burst of logins cannot take every
/// thread the sessions need.
/// </summary>
public sealed class SaslAuthenticator : ISaslAuthenticator, IDisposable
{
    /// <summary>A real bcrypt hash of nothing anyone knows, checked for unknown users.</summary>
    private static readonly Lazy<string> s_unknownUserHash = new(() => BCrypt.Net.BCrypt.HashPassword(Guid.NewGuid().ToString("N"), 10));

    private readonly DirectoryRegistry _directories;
    private readonly OAuthTokenValidator _tokens;
    private readonly SemaphoreSlim _hashing = new(Environment.ProcessorCount, Environment.ProcessorCount);

    public SaslAuthenticator(SluiceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _directories = settings.Directories;
        var oauth = settings.Session.Auth.OAuth;
        _tokens = new OAuthTokenValidator(oauth.Issuer, oauth.Audience, oauth.Key, oauth.Jwks);
    }

    public async ValueTask<AuthenticatedUser?> AuthenticateAsync(string directory, SaslCredentials credentials, CancellationToken cancellationToken)
    {
        _directories.TryGet(directory, out var users);
        if (credentials.IsToken)
        {
            var identity = await _tokens.ValidateAsync(credentials.Secret, credentials.User);
            if (identity is null)
            {
                return null;
            }
            var known = users is null ? null : await users.FindByAddressAsync(identity, cancellationToken) ?? await users.FindByNameAsync(identity, cancellationToken);
            return known is null ? new AuthenticatedUser(identity, [identity]) : ToUser(known);
        }

        // An authorization identity other than the user itself (acting for someone else) is not supported.
        if (users is null || (credentials.AuthorizationId.Length > 0 && !string.Equals(credentials.AuthorizationId, credentials.User, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }
        var user = await users.FindByNameAsync(credentials.User, cancellationToken)
            ?? await users.FindByAddressAsync(credentials.User, cancellationToken);
        // Hash even for an unknown user, so timing does not tell which names exist.
        var secret = user?.Secret ?? s_unknownUserHash.Value;
        await _hashing.WaitAsync(cancellationToken);
        bool valid;
        try
        {
            valid = await Task.Run(() => PasswordVerifier.Verify(credentials.Secret, secret), cancellationToken);
        }
        finally
        {
            _hashing.Release();
        }
        return valid && user is not null ? ToUser(user) : null;
    }

    public void Dispose() => _hashing.Dispose();

    private static AuthenticatedUser ToUser(DirectoryUser user) =>
        new(user.Name, [.. user.Emails, .. user.EmailLists]);
}
