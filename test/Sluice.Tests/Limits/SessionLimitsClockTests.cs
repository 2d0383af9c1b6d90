using Microsoft.Extensions.Time.Testing;
using Sluice.Session;

namespace Sluice.Tests.Limits;

/// <summary>The session's timers on a fake clock: what ends a session, and what keeps it going.</summary>
public class SessionLimitsClockTests
{
    [Test]
    public void The_inactivity_timer_ends_the_session_when_nothing_completes()
    {
        var clock = new FakeTimeProvider();
        using var limits = new SessionLimits(clock, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.That(limits.Token.IsCancellationRequested, Is.False);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(limits.Token.IsCancellationRequested, Is.True);
        Assert.That(limits.Reason, Is.EqualTo(SessionEndReason.Idle));
    }

    [Test]
    public void Each_complete_command_rearms_the_inactivity_timer()
    {
        var clock = new FakeTimeProvider();
        using var limits = new SessionLimits(clock, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), CancellationToken.None);
        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(20));
            limits.Touch();
        }
        Assert.That(limits.Token.IsCancellationRequested, Is.False, "200 s of activity, never 30 s idle");
    }

    [Test]
    public void The_duration_ends_even_an_active_session()
    {
        var clock = new FakeTimeProvider();
        using var limits = new SessionLimits(clock, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), CancellationToken.None);
        for (var i = 0; i < 12 && !limits.Token.IsCancellationRequested; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            limits.Touch();
        }
        Assert.That(limits.Token.IsCancellationRequested, Is.True);
        Assert.That(limits.Reason, Is.EqualTo(SessionEndReason.Duration));
    }

    [Test]
    public void A_closed_connection_ends_the_session_with_no_reply_reason()
    {
        using var closed = new CancellationTokenSource();
        using var limits = new SessionLimits(new FakeTimeProvider(), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), closed.Token);
        closed.Cancel();
        Assert.That(limits.Reason, Is.EqualTo(SessionEndReason.Disconnected));
        Assert.That(limits.Token.IsCancellationRequested, Is.True);
    }

    [Test]
    public void The_first_limit_reached_is_the_reason()
    {
        var clock = new FakeTimeProvider();
        using var limits = new SessionLimits(clock, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.That(limits.Reason, Is.AnyOf(SessionEndReason.Idle, SessionEndReason.Duration));
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.That(limits.Token.IsCancellationRequested, Is.True);
    }
}
