using System.Globalization;
using System.Net;

namespace Sluice.Load;

/// <summary>Command-line options of the load client.</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        usage: Sluice.Load --server 127.0.0.1:2525 [--sessions 20] [--messages 2000] [--size 4096]
                           [--per-connection 10] [--starttls] [--handshakes]
        """;

    public required IPEndPoint Server { get; init; }

    public int Sessions { get; init; } = 20;

    public int Messages { get; init; } = 2000;

    public int Size { get; init; } = 4096;

    /// <summary>Messages sent on one connection before it quits and reconnects.</summary>
    public int PerConnection { get; init; } = 10;

    public bool StartTls { get; init; }

    /// <summary>Only connect, EHLO, STARTTLS and QUIT, <see cref="Messages"/> times.</summary>
    public bool HandshakesOnly { get; init; }

    public static LoadOptions? Parse(string[] args)
    {
        IPEndPoint? server = null;
        int sessions = 20, messages = 2000, size = 4096, perConnection = 10;
        bool tls = false, handshakes = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException(args[i] + " needs a value");
            int Int() => int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--server": server = IPEndPoint.Parse(Next()); break;
                case "--sessions": sessions = Int(); break;
                case "--messages": messages = Int(); break;
                case "--size": size = Int(); break;
                case "--per-connection": perConnection = Int(); break;
                case "--starttls": tls = true; break;
                case "--handshakes": handshakes = true; tls = true; break;
                default: return null;
            }
        }
        return server is null || sessions < 1 || messages < 1 || size < 1 || perConnection < 1
            ? null
            : new LoadOptions { Server = server, Sessions = sessions, Messages = messages, Size = size, PerConnection = perConnection, StartTls = tls, HandshakesOnly = handshakes };
    }
}
