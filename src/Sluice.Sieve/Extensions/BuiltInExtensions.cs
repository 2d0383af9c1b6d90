using Sluice.Sieve.Compiler;

namespace Sluice.Sieve.Extensions;

/// <summary>The registration list: adding an extension is one line here plus its own file.</summary>
internal static class BuiltInExtensions
{
    public static List<SieveExtension> All() =>
    [
        new CoreLanguage(),
        new ControlCommands(),
        new CoreTests(),
        new ComparatorExtensions.AsciiNumeric(),
        new ComparatorExtensions.UnicodeCasemap(),
        new Envelope(),
        new Fileinto(),
        new Copy(),
        new Mailbox(),
        new Reject(),
        new Reject.Ereject(),
        new Relational(),
        new Subaddress(),
        new Variables(),
        new EncodedCharacter(),
        new Imap4Flags(),
        new Ihave(),
        new Environment(),
        new RegexExtension(),
        new Body(),
        new Editheader(),
        new Include(),
        new MimeExtension(),
        new ForEveryPart(),
        new Replace(),
        new ExtractText(),
        new Extlists(),
        new Duplicate(),
        new DateExtension(),
        new IndexExtension(),
        new EnvelopeDsn(),
        new EnvelopeDeliverBy(),
        new Execute(),
    ];
}
