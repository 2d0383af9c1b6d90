namespace Sluice.Directories;

/// <summary>
/// One <c>[[directory.&lt;id&gt;.users]]</c> entry. <see cref="Secret"/> is kept as written (a bcrypt
/// or SHA-crypt hash, or plain text); checking a password against it is AUTH's job.
/// <see cref="ToString"/> shows the name only, so a user in a log line never shows its secret.
/// </summary>
public sealed class DirectoryUser
{
    public DirectoryUser(string name, string secret, IReadOnlyList<string> emails, IReadOnlyList<string> emailLists)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(emails);
        ArgumentNullException.ThrowIfNull(emailLists);
        Name = name;
        Secret = secret;
        Emails = emails;
        EmailLists = emailLists;
    }

    /// <summary>The login name (AUTH identity).</summary>
    public string Name { get; }

    /// <summary>The password or its hash, as configured.</summary>
    public string Secret { get; }

    /// <summary>The user's own addresses (<c>email</c>): RCPT and VRFY find the user by them; the first is the primary one.</summary>
    public IReadOnlyList<string> Emails { get; }

    /// <summary>The mailing lists the user receives (<c>email-list</c>): EXPN of one of them lists this user.</summary>
    public IReadOnlyList<string> EmailLists { get; }

    public override string ToString() => Name;
}
