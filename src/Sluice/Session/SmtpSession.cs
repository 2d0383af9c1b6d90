using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Sluice.Configuration.Settings;
using Sluice.Observability;
using Sluice.Protocol;
using Sluice.Queue;
using Sluice.Stages;
using Sluice.Tls;
using Sluice.Auth;
using Sluice.Auth.Sasl;
using System.Net.Security;
using System.Security.Authentication;
using System.Runtime.CompilerServices;

namespace Sluice.Session;

/// <summary>
/// One SMTP session over a Kestrel connection: the read loop, the command state machine, DATA and
/// BDAT streaming into the store, and the session limits. Commands are parsed straight out of the
/// pipe's buffers; replies are written into the output pipe and flushed once per batch of
/// pipelined input.
/// </summary>
internal sealed partial class SmtpSession : IDisposable
{
    /// <summary>STARTTLS followed by more input in the same read: those bytes were sent in plain text and
    /// could be taken for commands inside TLS (CVE-2011-0411), so STARTTLS is refused and they run as plain commands.</summary>
    private static readonly SmtpReply s_startTlsNotLast = new(503, "5.5.1", "STARTTLS must be the last command of a pipelined group");

    private static readonly SmtpReply s_authInTransaction = new(503, "5.5.1", "AUTH is not allowed during a mail transaction");

    private static readonly SmtpReply s_authLineTooLong = new(500, "5.5.6", "Authentication exchange line is too long");

    private static readonly TimeSpan s_finalReplyTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long a closing session keeps reading (and dropping) what the client still sends,
    /// so that its last reply is not lost to a TCP reset caused by unread input.</summary>
    private static readonly TimeSpan s_lingerTimeout = TimeSpan.FromSeconds(2);

    private readonly ConnectionContext _connection;

    private readonly SessionServices _services;
    private readonly SluiceSettings _settings;
    private readonly TlsPolicy _tls;
    private PipeReader _input;
    private PipeWriter _output;
    private SslStream? _sslStream;
    private bool _startTls;
    private readonly SessionLimits _limits;
    private readonly SmtpSessionInfo _info;
    private readonly CommandReaderState _readerState = new();
    private readonly SmtpDataReader _data = new();
    private readonly BdatReader _bdat = new();
    private readonly MessageSink _sink = new();
    private readonly ConnectContext _connect;
    private readonly EhloContext _ehlo;
    private readonly AuthContext _auth;
    private readonly MailContext _mail;
    private readonly RcptContext _rcpt;
    private readonly DataContext _dataContext;
    private readonly long _transferLimit;

    private Mode _mode;
    private SaslExchange? _sasl;
    private int _authErrors;
    private IMessageTransaction? _transaction;
    private bool _transactionTooBig;
    private SmtpReply? _chunkRefusal;
    private long _transferred;
    private bool _close;
    private DateTimeOffset? _holdUntil;
    private Activity? _messageActivity;

    /// <summary>Set when the server is shutting down (Kestrel's ConnectionClosedRequested): the session
    /// answers 421 4.3.0 at the next command boundary, after a transfer in flight is stored.</summary>
    private volatile bool _shutdownRequested;
    private readonly CancellationTokenRegistration _shutdown;

    public SmtpSession(ConnectionContext connection, string listenerId, SessionServices services)
    {
        _connection = connection;
        _services = services;
        _settings = services.Settings;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        _tls = services.TlsPolicyFor(listenerId);
        var session = _settings.Session;
        // The limits' token exists before the info that carries it; their timers start once the
        // info's rules can say how long they are.
        _limits = new SessionLimits(connection.ConnectionClosed);
        _info = new SmtpSessionInfo(connection.ConnectionId, listenerId,
            connection.RemoteEndPoint as IPEndPoint, connection.LocalEndPoint as IPEndPoint, _limits.Token);
        _limits.Start(services.Time, session.Timeout.Evaluate(_info.Rules), session.Duration.Evaluate(_info.Rules));
        _info.IsLmtp = IsLmtpListener(_settings, listenerId);
        _transferLimit = session.TransferLimit.Evaluate(_info.Rules);
        _connect = new ConnectContext(_info);
        _ehlo = new EhloContext(_info);
        _auth = new AuthContext(_info);
        _mail = new MailContext(_info);
        _rcpt = new RcptContext(_info);
        _dataContext = new DataContext(_info);
        _shutdown = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested.Register(
            static s => ((SmtpSession)s!).RequestShutdown(), this) ?? default;
    }

    private enum Mode
    {
        Command,
        Data,
        Bdat,
        AuthResponse,
    }

    public SmtpSessionInfo Info => _info;

    /// <summary>How the session ended, for metrics and traces (<see cref="SessionOutcomes"/>).</summary>
    public string Outcome { get; private set; } = SessionOutcomes.ClientClosed;

    private void RequestShutdown()
    {
        _shutdownRequested = true;
        _input.CancelPendingRead();
    }

    private CancellationToken Token => _limits.Token;

    // RunAsync, ReadLoopAsync and LingerAsync run once per connection: pooled, their (large) state
    // machines serve the next connections instead of being allocated for each.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask RunAsync()
    {
        try
        {
            if (_tls.Implicit && !await HandshakeAsync())
            {
                return;
            }
            _connect.Reset();
            await _services.Pipelines.Connect(_connect);
            if (_connect.Reply is { } refusal && !_connect.Accepted)
            {
                Outcome = SessionOutcomes.Refused;
                await SendAndCloseAsync(refusal);
                return;
            }
            var greeting = _settings.Session.Connect.Greeting.Evaluate(_info.Rules);
            SmtpReplyWriter.Write(_output, 220, null, _settings.Server.Hostname + " " + greeting);
            await _output.FlushAsync(Token);
            if (await ReadLoopAsync())
            {
                Outcome = _shutdownRequested ? SessionOutcomes.Shutdown : Outcome == SessionOutcomes.Quit ? Outcome : SessionOutcomes.ServerClosed;
                await LingerAsync();
            }
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
            var reply = _limits.Reason switch
            {
                SessionEndReason.Idle => SmtpReplies.IdleTimeout,
                SessionEndReason.Duration => SmtpReplies.SessionDurationExceeded,
                _ => null,
            };
            Outcome = _limits.Reason switch
            {
                SessionEndReason.Idle => SessionOutcomes.IdleTimeout,
                SessionEndReason.Duration => SessionOutcomes.DurationLimit,
                _ => SessionOutcomes.ConnectionLost,
            };
            LogEnded(_services.Logger, _info.ConnectionId, _limits.Reason);
            if (reply is not null)
            {
                await SendFinalAsync(reply);
            }
        }
        catch (Exception ex) when (ex is ConnectionResetException or IOException or ConnectionAbortedException)
        {
            Outcome = SessionOutcomes.ConnectionLost;
            LogConnectionLost(_services.Logger, _info.ConnectionId, ex.Message);
        }
        finally
        {
            await AbortTransactionAsync();
        }
    }

    public void Dispose()
    {
        _info.Throttles?.ReleaseAll();
        _shutdown.Dispose();
        _sink.Dispose();
        _sslStream?.Dispose();
        _limits.Dispose();
    }

    /// <summary>Runs commands until the client leaves (false) or the server closes the session (true).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadLoopAsync()
    {
        while (!_close)
        {
            var result = await _input.ReadAsync(Token);
            var buffer = result.Buffer;
            var start = buffer.Length;
            var progressed = false;
            try
            {
                while (!_close)
                {
                    if (_mode == Mode.Command)
                    {
                        var status = ReadCommand(ref buffer, out var command);
                        if (status == CommandReadStatus.NeedMoreData)
                        {
                            break;
                        }
                        progressed = true;
                        if (status == CommandReadStatus.LineTooLong)
                        {
                            SmtpReplies.LineTooLong.WriteTo(_output);
                            continue;
                        }
                        _startTls = command.Verb == SmtpVerb.StartTls && command.IsValid && buffer.IsEmpty
                            && !_info.IsTls && _tls.StartTlsOffered;
                        var started = Stopwatch.GetTimestamp();
                        await ExecuteAsync(command);
                        _services.Metrics.CommandExecuted(_info.ListenerId, command.Verb, started);
                        SluiceActivities.CommandEvent(command.Verb, null);
                        if (_startTls)
                        {
                            break;
                        }
                    }
                    else if (_mode == Mode.AuthResponse)
                    {
                        var status = ReadAuthLine(ref buffer, out var line);
                        if (status == CommandReadStatus.NeedMoreData)
                        {
                            break;
                        }
                        progressed = true;
                        if (status == CommandReadStatus.LineTooLong)
                        {
                            EndAuthExchange();
                            Reply(s_authLineTooLong);
                            continue;
                        }
                        await AuthStepAsync(_sasl!.Respond(line!));
                    }
                    else
                    {
                        var before = buffer.Length;
                        var status = _mode == Mode.Data ? ReadData(ref buffer) : ReadChunk(ref buffer);
                        progressed |= buffer.Length != before;
                        await _sink.FlushAsync(final: false, Token);
                        if (status == DataReadStatus.NeedMoreData)
                        {
                            break;
                        }
                        progressed = true;
                        if (_mode == Mode.Data)
                        {
                            await FinishDataAsync();
                        }
                        else
                        {
                            await FinishChunkAsync();
                        }
                    }
                }
            }
            finally
            {
                _transferred += start - buffer.Length;
                _services.Metrics.BytesReceived(_info.ListenerId, start - buffer.Length);
                _input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (progressed)
            {
                _limits.Touch();
            }
            if (_transferred > _transferLimit && !_close)
            {
                SmtpReplies.TransferLimitExceeded.WriteTo(_output);
                _close = true;
                LogTransferLimit(_services.Logger, _info.ConnectionId, _transferred);
            }
            if (_shutdownRequested && _mode == Mode.Command && _transaction is null && !_close && !_startTls)
            {
                // SPEC §5: a session waiting for a command is told at once; a message in flight (DATA, or
                // BDAT up to its LAST chunk) is stored first.
                SmtpReplies.ShuttingDown.WriteTo(_output);
                _close = true;
            }
            await _output.FlushAsync(Token);
            if (result.IsCompleted)
            {
                return false;
            }
            if (_startTls)
            {
                _startTls = false;
                if (!await HandshakeAsync())
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>
    /// Runs the TLS handshake over the connection's pipes and swaps the session's reader and writer to
    /// the TLS ones. After STARTTLS the session starts over (RFC 3207 4.2): the client must EHLO again.
    /// False when the handshake fails or times out (the connection is then dropped).
    /// </summary>
    private async Task<bool> HandshakeAsync()
    {
        var ssl = new SslStream(new DuplexPipeStream(_input, _output), leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(_tls.Timeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(_tls.ServerOptions(), timeout.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or InvalidOperationException)
        {
            LogHandshakeFailed(_services.Logger, _info.ConnectionId, ex.Message);
            await ssl.DisposeAsync();
            if (Token.IsCancellationRequested)
            {
                throw;
            }
            return false;
        }
        _sslStream = ssl;
        _input = PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));
        await AbortTransactionAsync();
        _readerState.Reset();
        _info.IsTls = true;
        _info.Rules.IsTls = true;
        _info.TlsProtocol = ssl.SslProtocol switch
        {
            SslProtocols.Tls13 => "TLSv1.3",
            SslProtocols.Tls12 => "TLSv1.2",
            var other => other.ToString(),
        };
        _info.TlsCipher = ssl.NegotiatedCipherSuite.ToString();
        _info.HeloDomain = null;
        _info.IsExtended = false;
        _info.Rules.HeloDomain = string.Empty;
        return true;
    }

    /// <summary>After the server's last reply, drops what the client still sends for a short while, or until it closes.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask LingerAsync()
    {
        using var timeout = new CancellationTokenSource(s_lingerTimeout, _services.Time);
        try
        {
            for (var i = 0; i < 100_000; i++)
            {
                var result = await _input.ReadAsync(timeout.Token);
                _input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException)
        {
            // Done lingering.
        }
    }

    private CommandReadStatus ReadCommand(ref ReadOnlySequence<byte> buffer, out SmtpCommand command)
    {
        var reader = new SequenceReader<byte>(buffer);
        var status = SmtpCommandReader.TryReadCommand(ref reader, _readerState, out command);
        buffer = buffer.Slice(reader.Position);
        return status;
    }

    /// <summary>A SASL response line (up to 12288 octets, RFC 4954 4).</summary>
    private CommandReadStatus ReadAuthLine(ref ReadOnlySequence<byte> buffer, out string? line)
    {
        var reader = new SequenceReader<byte>(buffer);
        var status = SmtpCommandReader.TryReadLine(ref reader, _readerState, out var bytes, 12288);
        buffer = buffer.Slice(reader.Position);
        line = status == CommandReadStatus.Command ? System.Text.EncodingExtensions.GetString(System.Text.Encoding.ASCII, bytes) : null;
        return status;
    }

    private DataReadStatus ReadData(ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        var status = _data.Read(ref reader, _transaction is null ? null : _sink);
        buffer = buffer.Slice(reader.Position);
        return status;
    }

    private DataReadStatus ReadChunk(ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        var status = _bdat.Read(ref reader, _transaction is null ? null : _sink);
        buffer = buffer.Slice(reader.Position);
        return status;
    }

    private ValueTask ExecuteAsync(SmtpCommand command)
    {
        if (IsWrongGreeting(command.Verb))
        {
            Reply(SmtpReplies.UnknownCommand);
            return ValueTask.CompletedTask;
        }
        if (!command.IsValid && command.Verb is not (SmtpVerb.Rcpt or SmtpVerb.Bdat))
        {
            Reply(SmtpReplies.ForError(command.Error));
            return ValueTask.CompletedTask;
        }
        switch (command.Verb)
        {
            case SmtpVerb.Ehlo:
            case SmtpVerb.Helo:
            case SmtpVerb.Lhlo:
                return EhloAsync(command);
            case SmtpVerb.Mail:
                return MailAsync(command);
            case SmtpVerb.Rcpt:
                return RcptAsync(command);
            case SmtpVerb.Data:
                return DataAsync();
            case SmtpVerb.Bdat:
                return BdatAsync(command);
            case SmtpVerb.Rset:
                return RsetAsync();
            case SmtpVerb.Noop:
                Reply(SmtpReplies.Ok);
                break;
            case SmtpVerb.Help:
                Reply(SmtpReplies.Help);
                break;
            case SmtpVerb.Vrfy:
            case SmtpVerb.Expn:
                return VerifyAsync(command);
            case SmtpVerb.Quit:
                Reply(SmtpReplies.Bye);
                Outcome = SessionOutcomes.Quit;
                _close = true;
                break;
            case SmtpVerb.StartTls:
                Reply(_info.IsTls ? SmtpReplies.AlreadyTls
                    : !_tls.StartTlsOffered ? SmtpReplies.TlsNotAvailable
                    : _startTls ? SmtpReplies.ReadyToStartTls
                    : s_startTlsNotLast);
                break;
            case SmtpVerb.Auth:
                return AuthAsync(command);
            default:
                Reply(SmtpReplies.UnknownCommand);
                break;
        }
        return ValueTask.CompletedTask;
    }

    // The command and message methods below are pooled (PoolingAsyncValueTaskMethodBuilder): when one
    // waits (the queue commit, a stage's I/O) its state machine comes from a pool instead of a new box
    // per command. Each is awaited once, right where it is called, as pooling requires.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EhloAsync(SmtpCommand command)
    {
        _ehlo.Reset();
        _ehlo.IsExtended = command.Verb is SmtpVerb.Ehlo or SmtpVerb.Lhlo;
        _ehlo.Domain = command.Domain ?? string.Empty;
        _ehlo.DomainKind = command.DomainKind;
        // Rules at this stage see the name being offered; a refused EHLO puts the previous one back.
        var previousHelo = _info.Rules.HeloDomain;
        _info.Rules.HeloDomain = _ehlo.Domain;
        await _services.Pipelines.Ehlo(_ehlo);
        if (!_ehlo.Accepted)
        {
            _info.Rules.HeloDomain = previousHelo;
            Reply(_ehlo);
            return;
        }

        // RFC 5321 4.1.4: EHLO/HELO resets any transaction in progress.
        await AbortTransactionAsync();
        _info.HeloDomain = _ehlo.Domain;
        _info.IsExtended = _ehlo.IsExtended;
        _info.Rules.HeloDomain = _ehlo.Domain;
        if (_ehlo.IsExtended)
        {
            _services.EhloReplies.Get(Capabilities()).WriteTo(_output, _services.Time.GetUtcNow());
        }
        else
        {
            SmtpReplyWriter.Write(_output, 250, null, _settings.Server.Hostname);
        }
        _close |= _ehlo.CloseAfterReply;
    }

    private EhloCapabilities Capabilities()
    {
        var extensions = _settings.Session.Extensions;
        return Stages.BuiltIn.ExtensionChecks.Advertise(new EhloCapabilities
        {
            Hostname = _settings.Server.Hostname,
            Pipelining = extensions.Pipelining.Evaluate(_info.Rules),
            Chunking = extensions.Chunking.Evaluate(_info.Rules),
            StartTls = !_info.IsTls && _tls.StartTlsOffered,
            AuthMechanisms = AuthMechanismsText(),
            RequireTls = _info.IsTls && extensions.RequireTls.Evaluate(_info.Rules),
            MaxMessageSize = _settings.Session.Data.Limits.Size.Evaluate(_info.Rules),
            EightBitMime = true,
            SmtpUtf8 = true,
            EnhancedStatusCodes = true,
        }, _settings, _info.Rules);
    }

    private string? AuthMechanismsText()
    {
        var mechanisms = OfferedMechanisms();
        return mechanisms.Count == 0 ? null : string.Join(' ', mechanisms).ToUpperInvariant();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask MailAsync(SmtpCommand command)
    {
        if (_info.InTransaction)
        {
            Reply(SmtpReplies.TransactionInProgress);
            return;
        }
        _mail.Reset();
        _mail.From = command.Path;
        _mail.Sender = command.Path.Address;
        _mail.Parameters = command.Parameters;
        _info.Rules.Sender = command.Path.Address;
        await _services.Pipelines.Mail(_mail);
        if (_mail.Accepted && !IsSafeAddress(_mail.Sender))
        {
            _mail.Accepted = false;
            _mail.Reply = SmtpReplies.LocalProcessingError;
        }
        if (_mail.Accepted)
        {
            _info.OpenTransaction(_mail.Sender, command.Parameters);
            _holdUntil = EnvelopeMapping.HoldUntil(command.Parameters, _services.Time.GetUtcNow());
            _info.Rules.Sender = _mail.Sender;
            _transactionTooBig = false;
        }
        else
        {
            _info.Rules.ClearTransaction();
            _info.Throttles?.ReleaseTransaction();
            _services.Metrics.MessageRejected(_info.ListenerId, "mail", _mail.Reply ?? SmtpReplies.Ok);
        }
        Reply(_mail);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RcptAsync(SmtpCommand command)
    {
        if (!_info.InTransaction)
        {
            Reply(command.IsValid ? SmtpReplies.MailRequired : SmtpReplies.ForError(command.Error));
            return;
        }
        if (!command.IsValid)
        {
            await RefuseRecipientAsync(SmtpReplies.ForError(command.Error), counted: command.Error is SmtpCommandError.BadRecipientAddress or SmtpCommandError.Syntax);
            return;
        }
        _rcpt.Reset();
        _rcpt.CountsAsError = false;
        _rcpt.To = command.Path;
        _rcpt.Recipient = command.Path.Address;
        _rcpt.Parameters = command.Parameters;
        _info.Rules.Recipient = command.Path.Address;
        await _services.Pipelines.Rcpt(_rcpt);
        if (_rcpt.Accepted && !IsSafeAddress(_rcpt.Recipient))
        {
            _rcpt.Accepted = false;
            _rcpt.Reply = SmtpReplies.LocalProcessingError;
        }
        if (_rcpt.Accepted)
        {
            _info.AddRecipient(new TransactionRecipient(_rcpt.Recipient, command.Parameters.OriginalRecipient, command.Parameters.Notify));
            Reply(_rcpt);
            return;
        }
        await RefuseRecipientAsync(_rcpt.Reply ?? SmtpReplies.MailboxUnknown, _rcpt.CountsAsError, _rcpt.CloseAfterReply);
    }

    /// <summary>
    /// Counted refusals (<c>session.rcpt.errors.*</c>): the one that reaches the total closes the
    /// session with 451 4.3.0; the others are answered after the configured wait. The wait is an
    /// await on the session's own timer, so other sessions are not held up.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RefuseRecipientAsync(SmtpReply reply, bool counted, bool close = false)
    {
        _services.Metrics.MessageRejected(_info.ListenerId, "rcpt", reply);
        if (!counted)
        {
            Reply(reply);
            _close |= close;
            return;
        }
        _info.RecipientErrors++;
        if (_info.RecipientErrors >= _settings.Session.Rcpt.ErrorsTotal.Evaluate(_info.Rules))
        {
            Reply(SmtpReplies.TooManyInvalidRecipients);
            _close = true;
            return;
        }
        var wait = _settings.Session.Rcpt.ErrorsWait.Evaluate(_info.Rules);
        if (wait > TimeSpan.Zero)
        {
            await _output.FlushAsync(Token);
            await Task.Delay(wait, _services.Time, Token);
        }
        Reply(reply);
        _close |= close;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DataAsync()
    {
        if (!_info.InTransaction || _info.Recipients.Count == 0)
        {
            Reply(SmtpReplies.RecipientRequired);
            return;
        }
        if (_info.MailParameters.Body == SmtpBodyType.BinaryMime)
        {
            Reply(new SmtpReply(503, "5.5.1", "BINARYMIME requires BDAT"));
            return;
        }
        if (_transaction is not null || _transactionTooBig)
        {
            // RFC 3030 2: a transaction that began with BDAT goes on with BDAT only.
            Reply(new SmtpReply(503, "5.5.1", "DATA not allowed after BDAT"));
            return;
        }
        if (await BeginTransactionAsync() is { } refusal)
        {
            Reply(refusal);
            return;
        }
        _data.Reset(MessageSizeLimit());
        SmtpReplies.StartMailInput.WriteTo(_output);
        _mode = Mode.Data;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask BdatAsync(SmtpCommand command)
    {
        if (!command.IsValid)
        {
            // The chunk size is unknown, so the octets that follow cannot be skipped: the stream is
            // out of step with the client, and the only safe answer closes the session.
            Reply(SmtpReplies.ForError(command.Error));
            _close = true;
            return;
        }
        _mode = Mode.Bdat;
        _chunkRefusal = !_settings.Session.Extensions.Chunking.Evaluate(_info.Rules) ? SmtpReplies.UnknownCommand
            : !_info.InTransaction || _info.Recipients.Count == 0 ? SmtpReplies.RecipientRequired
            : null;
        if (_chunkRefusal is null && _transaction is null && !_transactionTooBig)
        {
            _chunkRefusal = await BeginTransactionAsync();
            if (_chunkRefusal is not null)
            {
                _info.ResetTransaction();
            }
            else
            {
                _bdat.Reset(MessageSizeLimit());
            }
        }
        // A refused chunk's octets still follow the command: read and drop them to stay in step.
        _bdat.BeginChunk(command.ChunkSize, command.IsLastChunk, discard: _chunkRefusal is not null || _transactionTooBig);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FinishChunkAsync()
    {
        _mode = Mode.Command;
        if (_chunkRefusal is { } refusal)
        {
            Reply(refusal);
            return;
        }
        if (_bdat.TooBig)
        {
            _transactionTooBig = true;
            await AbortMessageAsync();
            Reply(SmtpReplies.MessageTooBig, _bdat.IsLastChunk ? FinalReplies() : 1);
            _services.Metrics.MessageRejected(_info.ListenerId, "data", SmtpReplies.MessageTooBig);
            if (_bdat.IsLastChunk)
            {
                _info.ResetTransaction();
                _transactionTooBig = false;
            }
            return;
        }
        if (!_bdat.IsLastChunk)
        {
            Reply(SmtpReplies.ChunkOk);
            return;
        }
        await CompleteMessageAsync(_bdat.MessageSize, _bdat.ReceivedHeaderCount, chunked: true);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FinishDataAsync()
    {
        _mode = Mode.Command;
        if (_data.TooBig)
        {
            var replies = FinalReplies();
            await AbortMessageAsync();
            _info.ResetTransaction();
            Reply(SmtpReplies.MessageTooBig, replies);
            _services.Metrics.MessageRejected(_info.ListenerId, "data", SmtpReplies.MessageTooBig);
            return;
        }
        await CompleteMessageAsync(_data.MessageSize, _data.ReceivedHeaderCount, chunked: false);
    }

    /// <summary>The whole message is staged: run the DATA stage, then commit it and answer with the id.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CompleteMessageAsync(long size, int receivedHeaders, bool chunked)
    {
        var transaction = _transaction!;
        var replies = FinalReplies();
        await _sink.FlushAsync(final: true, Token);
        if (_sink.Failed)
        {
            await AbortMessageAsync();
            _info.ResetTransaction();
            Reply(SmtpReplies.StorageFailure, replies);
            _services.Metrics.MessageRejected(_info.ListenerId, "data", SmtpReplies.StorageFailure);
            return;
        }

        _dataContext.Reset();
        _dataContext.MessageId = transaction.Id;
        _dataContext.Size = size;
        _dataContext.ReceivedHeaders = receivedHeaders;
        _dataContext.IsChunked = chunked;
        _dataContext.ResetMessage(_sink.IsHolding ? _sink : null);
        await _services.Pipelines.Data(_dataContext);
        if (!_dataContext.Accepted)
        {
            await AbortMessageAsync();
            _info.ResetTransaction();
            Reply(_dataContext, replies);
            _services.Metrics.MessageRejected(_info.ListenerId, "data", _dataContext.Reply ?? SmtpReplies.Ok);
            return;
        }
        if (_dataContext.Discard)
        {
            // Sieve discard (SPEC §2.8): the client is told the message was accepted; nothing is stored.
            await AbortMessageAsync();
            _info.MessagesAccepted++;
            _info.ResetTransaction();
            SmtpReplyWriter.Write(_output, 250, "2.0.0", "Message accepted as ", transaction.Id);
            return;
        }
        if (_sink.IsHolding)
        {
            // The message was held for the DATA stage: now the original or the edited bytes go to the store.
            await _sink.WriteHeldAsync(_dataContext.ReplacementMessage, Token);
            if (_sink.Failed)
            {
                await AbortMessageAsync();
                _info.ResetTransaction();
                Reply(SmtpReplies.StorageFailure);
                return;
            }
        }

        var commitStarted = Stopwatch.GetTimestamp();
        try
        {
            await transaction.CommitAsync(Envelope(transaction), Token);
            _services.Metrics.QueueCommitted(commitStarted);
        }
        catch (MessageStoreException ex)
        {
            LogStoreFailed(_services.Logger, _info.ConnectionId, transaction.Id, ex);
            await AbortMessageAsync();
            _info.ResetTransaction();
            Reply(SmtpReplies.StorageFailure, replies);
            _services.Metrics.MessageRejected(_info.ListenerId, "data", SmtpReplies.StorageFailure);
            return;
        }

        LogAccepted(_services.Logger, _info.ConnectionId, transaction.Id, transaction.Length, _info.Recipients.Count);
        _sink.End();
        _transaction = null;
        await transaction.DisposeAsync();
        _services.Metrics.MessageAccepted(_info.ListenerId);
        SluiceActivities.EndMessage(ref _messageActivity, SessionOutcomes.Accepted, size);
        _info.MessagesAccepted++;
        _info.ResetTransaction();
        for (var i = 0; i < replies; i++)
        {
            SmtpReplyWriter.Write(_output, 250, "2.0.0", "Message accepted as ", transaction.Id);
        }
        _close |= _dataContext.CloseAfterReply;
    }

    /// <summary><c>session.data.limits.size</c>; 0 is advertised as <c>SIZE</c> with no value, "no fixed maximum" (RFC 1870).</summary>
    private long MessageSizeLimit() => _settings.Session.Data.Limits.Size.Evaluate(_info.Rules) is > 0 and var size ? size : long.MaxValue;

    /// <summary>The envelope to commit, with the id and size the store would fill in (so that it need not copy it).</summary>
    private MessageEnvelope Envelope(IMessageTransaction transaction)
    {
        var parameters = _info.MailParameters;
        var recipients = new EnvelopeRecipient[_info.Recipients.Count];
        for (var i = 0; i < recipients.Length; i++)
        {
            var r = _info.Recipients[i];
            recipients[i] = new EnvelopeRecipient(r.Address)
            {
                Orcpt = r.Orcpt,
                Notify = EnvelopeMapping.Notify(r.Notify),
            };
        }
        return new MessageEnvelope
        {
            Id = transaction.Id,
            Size = transaction.Length,
            From = _info.Sender,
            To = recipients,
            ReceivedAt = _services.Time.GetUtcNow(),
            RemoteIp = _info.RemoteEndPoint?.Address is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null,
            Helo = _info.HeloDomain,
            AuthenticatedAs = _info.AuthenticatedAs,
            Body = parameters.Body switch
            {
                SmtpBodyType.EightBitMime => MessageBodyType.EightBitMime,
                SmtpBodyType.BinaryMime => MessageBodyType.BinaryMime,
                _ => MessageBodyType.SevenBit,
            },
            SmtpUtf8 = parameters.SmtpUtf8,
            RequireTls = parameters.RequireTls,
            EnvId = parameters.EnvelopeId,
            Ret = EnvelopeMapping.Ret(parameters.Ret),
            Priority = parameters.Has(SmtpParameters.MtPriority) ? parameters.MtPriority : null,
            HoldUntil = _holdUntil,
            By = EnvelopeMapping.By(parameters),
            Folder = _info.Folder,
        };
    }

    /// <summary>Opens the store transaction for the message about to arrive; the refusal (452 4.3.1) when it cannot.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SmtpReply?> BeginTransactionAsync()
    {
        var store = _services.Store;
        if (!store.HasFreeSpace(_settings.Queue.MinFreeSpace))
        {
            return SmtpReplies.StorageFailure;
        }
        try
        {
            _transaction = await store.BeginAsync(Token);
        }
        catch (MessageStoreException ex)
        {
            LogStoreFailed(_services.Logger, _info.ConnectionId, "-", ex);
            return SmtpReplies.StorageFailure;
        }
        var addHeaders = _settings.Session.Data.AddHeaders;
        var choice = new TraceHeaders.Choice(
            addHeaders.Received.Evaluate(_info.Rules),
            addHeaders.ReturnPath.Evaluate(_info.Rules),
            addHeaders.MessageId.Evaluate(_info.Rules),
            addHeaders.Date.Evaluate(_info.Rules));
        var id = _transaction.Id;
        _messageActivity = SluiceActivities.StartMessage(id);
        // A DATA script needs the whole message before it is committed (TRAPS: stage, run, then commit).
        var hold = _settings.Sieve.Stages.Data.Evaluate(_info.Rules) is not null ? _settings.Queue.Path : null;
        _sink.Begin(_transaction, new TraceHeaders.Request(choice, _info, _settings.Server.Hostname, id, _services.Time.GetUtcNow()), hold);
        return null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RsetAsync()
    {
        await AbortTransactionAsync();
        Reply(SmtpReplies.Ok);
    }

    private async ValueTask AuthAsync(SmtpCommand command)
    {
        var mechanisms = OfferedMechanisms();
        if (_info.AuthenticatedAs is not null)
        {
            Reply(SmtpReplies.AlreadyAuthenticated);
            return;
        }
        if (mechanisms.Count == 0)
        {
            Reply(SmtpReplies.AuthNotAvailable);
            return;
        }
        if (_info.InTransaction)
        {
            Reply(s_authInTransaction);
            return;
        }
        var mechanism = command.AuthMechanism ?? string.Empty;
        if (!mechanisms.Contains(mechanism.ToLowerInvariant()))
        {
            Reply(SmtpReplies.AuthMechanismUnknown);
            return;
        }
        _auth.Reset();
        _auth.Mechanism = mechanism;
        await _services.Pipelines.Auth(_auth);
        if (!_auth.Accepted)
        {
            Reply(_auth);
            return;
        }
        _sasl = new SaslExchange(mechanism);
        await AuthStepAsync(_sasl.Start(command.Argument));
    }

    /// <summary>The SASL mechanisms this session is offered: none before TLS unless <c>allow-plain-text</c>.</summary>
    private IReadOnlyList<string> OfferedMechanisms()
    {
        var auth = _settings.Session.Auth;
        var mechanisms = auth.Mechanisms.Evaluate(_info.Rules);
        return mechanisms.Count > 0 && (_info.IsTls || auth.AllowPlainText.Evaluate(_info.Rules)) ? mechanisms : [];
    }

    private async ValueTask AuthStepAsync(SaslStep step)
    {
        switch (step.Kind)
        {
            case SaslStepKind.Challenge:
                SmtpReplyWriter.Write(_output, 334, null, step.Challenge);
                _mode = Mode.AuthResponse;
                return;
            case SaslStepKind.Cancelled:
                EndAuthExchange();
                Reply(SmtpReplies.AuthCancelled);
                return;
            case SaslStepKind.Malformed:
                EndAuthExchange();
                await AuthFailedAsync(SmtpReplies.AuthBadBase64);
                return;
            case SaslStepKind.Failed:
                EndAuthExchange();
                await AuthFailedAsync(SmtpReplies.AuthFailed);
                return;
        }

        var directory = _settings.Session.Auth.Directory.Evaluate(_info.Rules);
        var user = await _services.Authenticator.AuthenticateAsync(directory, step.Credentials, Token);
        if (user is not null)
        {
            EndAuthExchange();
            _info.AuthenticatedAs = user.Name;
            _info.AuthenticatedAddresses = user.Addresses;
            _info.Rules.AuthenticatedAs = user.Name;
            LogAuthenticated(_services.Logger, _info.ConnectionId, user.Name, _sasl is null ? "" : step.Credentials.IsToken ? "token" : "password");
            Reply(SmtpReplies.AuthSucceeded);
            return;
        }
        if (step.Credentials.IsToken && _sasl?.TokenErrorChallenge() is { } challenge)
        {
            // RFC 7628 3.2.2: the error goes out as a challenge; the client's answer ends the exchange with 535.
            SmtpReplyWriter.Write(_output, 334, null, challenge);
            _mode = Mode.AuthResponse;
            return;
        }
        EndAuthExchange();
        await AuthFailedAsync(SmtpReplies.AuthFailed);
    }

    private void EndAuthExchange()
    {
        _sasl = null;
        _mode = Mode.Command;
    }

    /// <summary><c>session.auth.errors.*</c>: the failure that reaches the total closes the session with 455 4.3.0.</summary>
    private async ValueTask AuthFailedAsync(SmtpReply reply)
    {
        _authErrors++;
        LogAuthFailed(_services.Logger, _info.ConnectionId, _authErrors);
        if (_authErrors >= _settings.Session.Auth.ErrorsTotal.Evaluate(_info.Rules))
        {
            Reply(SmtpReplies.TooManyAuthFailures);
            _close = true;
            return;
        }
        var wait = _settings.Session.Auth.ErrorsWait.Evaluate(_info.Rules);
        if (wait > TimeSpan.Zero)
        {
            await _output.FlushAsync(Token);
            await Task.Delay(wait, _services.Time, Token);
        }
        Reply(reply);
    }

    /// <summary>Drops the staged message (if any) but keeps the envelope state to the caller.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AbortMessageAsync()
    {
        SluiceActivities.EndMessage(ref _messageActivity, SessionOutcomes.Aborted);
        _sink.End();
        if (_transaction is { } transaction)
        {
            _transaction = null;
            await transaction.DisposeAsync();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AbortTransactionAsync()
    {
        await AbortMessageAsync();
        _info.ResetTransaction();
        _transactionTooBig = false;
    }

    /// <summary>
    /// An address a middleware (or a rewrite) set must still be one line of printable text: it goes
    /// into Return-Path, Received and the envelope, where CR/LF would inject header fields.
    /// </summary>
    private static bool IsSafeAddress(string address)
    {
        foreach (var c in address)
        {
            if (c < ' ' || c == '\u007f')
            {
                return false;
            }
        }
        return address.Length <= 512;
    }

    private void Reply(SmtpReply reply) => reply.WriteTo(_output);

    private void Reply(SmtpStageContext context)
    {
        // A step that stopped the pipeline without a reply refused nothing in words: never answer it 250.
        (context.Reply ?? (context.Accepted ? SmtpReplies.Ok : SmtpReplies.LocalProcessingError)).WriteTo(_output);
        _close |= context.CloseAfterReply;
    }

    private async Task SendAndCloseAsync(SmtpReply reply)
    {
        reply.WriteTo(_output);
        await _output.FlushAsync(Token);
    }

    /// <summary>The reply that ends the session after a limit; written with its own short deadline,
    /// since the session token is already cancelled and a client that does not read must not hold us.</summary>
    private async Task SendFinalAsync(SmtpReply reply)
    {
        using var timeout = new CancellationTokenSource(s_finalReplyTimeout, _services.Time);
        try
        {
            reply.WriteTo(_output);
            await _output.FlushAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or InvalidOperationException)
        {
            // The client is gone or not reading: drop the connection rather than wait on its unsent output.
            _connection.Abort(new ConnectionAbortedException("The client does not read its replies."));
        }
    }

    [LoggerMessage(EventId = 215, Level = LogLevel.Debug, Message = "Session {ConnectionId}: TLS handshake failed: {Error}")]
    private static partial void LogHandshakeFailed(ILogger logger, string connectionId, string error);

    [LoggerMessage(EventId = 216, Level = LogLevel.Information, Message = "Session {ConnectionId} authenticated as {User} ({Kind})")]
    private static partial void LogAuthenticated(ILogger logger, string connectionId, string user, string kind);

    [LoggerMessage(EventId = 217, Level = LogLevel.Information, Message = "Session {ConnectionId}: authentication failed ({Failures} so far)")]
    private static partial void LogAuthFailed(ILogger logger, string connectionId, int failures);

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "Session {ConnectionId} ended by the server: {Reason}")]
    private static partial void LogEnded(ILogger logger, string connectionId, SessionEndReason reason);

    [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "Session {ConnectionId} lost its connection: {Error}")]
    private static partial void LogConnectionLost(ILogger logger, string connectionId, string error);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "Session {ConnectionId} passed its transfer limit ({Bytes} bytes)")]
    private static partial void LogTransferLimit(ILogger logger, string connectionId, long bytes);

    [LoggerMessage(EventId = 213, Level = LogLevel.Debug, Message = "Session {ConnectionId} stored message {MessageId} ({Size} bytes, {Recipients} recipients)")]
    private static partial void LogAccepted(ILogger logger, string connectionId, string messageId, long size, int recipients);

    [LoggerMessage(EventId = 214, Level = LogLevel.Error, Message = "Session {ConnectionId} could not store message {MessageId}")]
    private static partial void LogStoreFailed(ILogger logger, string connectionId, string messageId, Exception exception);
}
