using System.Text;

namespace Sluice.Tests.Durability;

/// <summary>The kill tests judge what they find with <see cref="SelfCheckingMessage"/>: it must tell a partial message.</summary>
public sealed class SelfCheckingMessageTests
{
    [Test]
    public void A_whole_message_with_trace_headers_on_top_passes_and_every_cut_or_changed_one_fails()
    {
        for (var index = 0; index < 40; index++)
        {
            var sent = SelfCheckingMessage.Create(7, 1, index, out var tag);
            var stored = Encoding.ASCII.GetBytes("Return-Path: <a@b.example>\r\nReceived: from x\r\n\tby y; date\r\n").Concat(sent).ToArray();
            Assert.That(SelfCheckingMessage.IsWhole(stored, out var found), Is.True, tag);
            Assert.That(found, Is.EqualTo(tag));

            Assert.That(SelfCheckingMessage.IsWhole(stored[..^1], out _), Is.False, "one byte short");
            Assert.That(SelfCheckingMessage.IsWhole(stored[..(stored.Length / 2)], out _), Is.False, "cut in half");
            Assert.That(SelfCheckingMessage.IsWhole([.. stored, (byte)'x'], out _), Is.False, "one byte more");
            var flipped = stored.ToArray();
            flipped[^3] ^= 1;
            Assert.That(SelfCheckingMessage.IsWhole(flipped, out _), Is.False, "a changed byte");
        }
    }

    [Test]
    public void The_same_seed_round_and_index_give_the_same_bytes_and_others_differ()
    {
        var a = SelfCheckingMessage.Create(7, 1, 2, out _);
        Assert.That(SelfCheckingMessage.Create(7, 1, 2, out _), Is.EqualTo(a));
        Assert.That(SelfCheckingMessage.Create(7, 1, 3, out _), Is.Not.EqualTo(a));
        Assert.That(SelfCheckingMessage.Create(8, 1, 2, out _), Is.Not.EqualTo(a));
    }
}
