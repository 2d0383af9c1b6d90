using System.Collections.Concurrent;
using Sluice.Queue;

namespace Sluice.Tests.Queue;

[TestFixture]
public sealed class MessageIdTests
{
    [Test]
    public void Created_ids_are_valid_and_26_characters()
    {
        var id = MessageId.Create(DateTimeOffset.UtcNow);
        Assert.That(id, Has.Length.EqualTo(MessageId.GeneratedLength));
        Assert.That(MessageId.IsValid(id), Is.True);
        Assert.That(id, Does.Match("^[0-9A-HJKMNP-TV-Z]{26}$"));
    }

    [Test]
    public void Two_thousand_ids_from_parallel_tasks_are_unique_and_valid()
    {
        var ids = new ConcurrentBag<string>();
        var now = DateTimeOffset.UtcNow; // one millisecond for all: only the random part tells them apart
        Parallel.For(0, 2000, _ => ids.Add(MessageId.Create(now)));

        Assert.That(ids, Has.Count.EqualTo(2000));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(2000));
        Assert.That(ids.All(id => MessageId.IsValid(id)), Is.True);
    }

    [Test]
    public void Ids_drawn_in_a_row_on_one_thread_never_share_their_random_part()
    {
        // Random bytes are drawn in batches per thread: a run this long crosses many batch boundaries.
        var now = DateTimeOffset.UtcNow;
        var randomParts = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 5000; i++)
        {
            Assert.That(randomParts.Add(MessageId.Create(now)[10..]), Is.True, $"id {i} repeats an earlier one's random part");
        }
    }

    [Test]
    public void Ids_sort_in_time_order()
    {
        var start = new DateTimeOffset(2026, 12, 4, 22, 0, 0, TimeSpan.Zero);
        TimeSpan[] offsets = [TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromDays(400), TimeSpan.FromDays(4000)];
        var ids = offsets.Select(o => MessageId.Create(start + o)).ToList();

        Assert.That(ids, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(ids.Select(id => id[..10]).Distinct().Count(), Is.EqualTo(offsets.Length));
    }

    [TestCase("a", true)]
    [TestCase("Az09-_", true)]
    [TestCase("01JEC3ZB7R9M2K4T6V8W0X1Y2Z", true)]
    [TestCase("", false)]
    [TestCase("a.b", false)]
    [TestCase("../etc", false)]
    [TestCase("a b", false)]
    [TestCase("é", false)]
    [TestCase("a/b", false)]
    public void IsValid_accepts_only_letters_digits_dash_underscore(string id, bool valid)
    {
        Assert.That(MessageId.IsValid(id), Is.EqualTo(valid));
    }

    [Test]
    public void IsValid_limits_length_to_64()
    {
        Assert.That(MessageId.IsValid(new string('x', 64)), Is.True);
        Assert.That(MessageId.IsValid(new string('x', 65)), Is.False);
    }
}
