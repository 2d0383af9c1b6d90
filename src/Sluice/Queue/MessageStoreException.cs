namespace Sluice.Queue;

/// <summary>
/// The store could not take the message (disk full, I/O error, permission, ...).
/// This is the only exception a store throws for "cannot store"; the SMTP session answers it with
/// <c>452 4.3.1</c>. When it is thrown, nothing of the message is visible in the store.
/// </summary>
public sealed class MessageStoreException : Exception
{
    public MessageStoreException()
        : base("The message store cannot store the message.")
    {
    }

    public MessageStoreException(string message)
        : base(message)
    {
    }

    public MessageStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
