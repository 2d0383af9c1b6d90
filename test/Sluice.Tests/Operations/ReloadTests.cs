using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Hosting;
using Sluice.Tests.Support;

namespace Sluice.Tests.Operations;

/// <summary>Hot reload: a changed file applies to new sessions; sessions in flight go on; an invalid file is refused.</summary>
public class ReloadTests
{
    [Test]
    public async Task A_changed_file_applies_to_new_sessions_and_an_invalid_one_is_refused_with_a_log_line()
    {
        var logs = new ConcurrentQueue<string>();
        await using var server = await RunningServer.StartAsync(
            RunningServer.MinimalToml("""
                [session.connect]
                greeting = "first edition"
                """),
            builder =>
            {
                builder.Services.Configure<SluiceReloadOptions>(o => o.Interval = TimeSpan.FromMilliseconds(50));
                builder.Logging.AddProvider(new CapturingLoggerProvider(logs));
            });
        var state = server.App.Services.GetRequiredService<SluiceConfigurationState>();
        var file = Path.Combine(server.Directory, "sluice.toml");
        var original = await File.ReadAllTextAsync(file);

        // A session opened before the change...
        await using var before = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await before.ReadLineAsync(), Is.EqualTo("220 mx.test.example first edition"));

        await ReplaceFileAsync(file, original.Replace("first edition", "second edition", StringComparison.Ordinal)
            .Replace("hostname = \"mx.test.example\"", "hostname = \"mx2.test.example\"", StringComparison.Ordinal));
        await PollAsync(() => state.Generation >= 1, "the changed file should be applied");

        await using (var after = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            Assert.That(await after.ReadLineAsync(), Is.EqualTo("220 mx2.test.example second edition"));
        }

        // ...goes on with the configuration it started with, and its message is stored.
        await before.SendAsync("EHLO client.example\r\n");
        Assert.That((await before.ReadReplyAsync())[0], Does.StartWith("250-mx.test.example"));
        await before.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
        Assert.That(await before.ReadLineAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await before.ReadLineAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(await before.ReadLineAsync(), Does.StartWith("354 "));
        await before.SendAsync("Subject: across a reload\r\n\r\nbody\r\n.\r\n");
        Assert.That(await before.ReadLineAsync(), Does.StartWith("250 2.0.0"));

        // An invalid file: refused with a log line naming the key, and the running configuration stays.
        await ReplaceFileAsync(file, original.Replace("first edition", "third edition", StringComparison.Ordinal)
            .Replace("[session.connect]", "[session.connect]\nno-such-key = 1", StringComparison.Ordinal));
        await PollAsync(() => state.Refusals >= 1, "the invalid file should be refused");
        Assert.That(state.Generation, Is.EqualTo(1));
        Assert.That(logs, Has.Some.Contains("refused").And.Contains("no-such-key"));
        await using (var later = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            Assert.That(await later.ReadLineAsync(), Is.EqualTo("220 mx2.test.example second edition"));
        }

        // Fixed again: applied.
        await ReplaceFileAsync(file, original.Replace("first edition", "fourth edition", StringComparison.Ordinal));
        await PollAsync(() => state.Generation >= 2, "the fixed file should be applied");
        await using (var last = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            Assert.That(await last.ReadLineAsync(), Is.EqualTo("220 mx.test.example fourth edition"));
        }
    }

    /// <summary>Writes beside and renames over, as Kubernetes (a symlink swap) and most editors do.</summary>
    private static async Task ReplaceFileAsync(string file, string text)
    {
        var temporary = file + ".new";
        await File.WriteAllTextAsync(temporary, text);
        File.Move(temporary, file, overwrite: true);
    }

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), what);
            await Task.Delay(20);
        }
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
