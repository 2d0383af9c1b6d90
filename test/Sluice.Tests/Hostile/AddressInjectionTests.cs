using Microsoft.Extensions.DependencyInjection;
using Sluice.Stages;
using Sluice.Tests.Support;

namespace Sluice.Tests.Hostile;

/// <summary>An address a middleware sets cannot smuggle CR/LF into the stored headers.</summary>
public class AddressInjectionTests
{
    [Test]
    public async Task A_sender_or_recipient_rewritten_with_CRLF_is_refused_with_451()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml(), builder =>
            builder.Services.Configure<SmtpPipelineOptions>(o => o.Configure.Add(p =>
            {
                p.Mail.Use((ctx, next) =>
                {
                    if (ctx.From.Address.StartsWith("evil", StringComparison.Ordinal))
                    {
                        ctx.Sender = "x@y.example>\r\nX-Injected: yes\r\nX: <z";
                    }
                    return next(ctx);
                });
                p.Rcpt.Use((ctx, next) =>
                {
                    if (ctx.To.Address.StartsWith("evil", StringComparison.Ordinal))
                    {
                        ctx.Recipient = "a@b.example\nBcc: victim@c.example";
                    }
                    return next(ctx);
                });
            })));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await client.ReadLineAsync();
        await client.SendAsync("HELO c.example\r\n");
        await client.ReadLineAsync();
        await client.SendAsync("MAIL FROM:<evil@b.example>\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("451 4.3.0"));
        await client.SendAsync("MAIL FROM:<good@b.example>\r\nRCPT TO:<evil@d.example>\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("451 4.3.0"));
    }
}
