using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sluice.Configuration.Settings;

namespace Sluice.Hosting;

/// <summary>One configured endpoint of a listener, with the address Kestrel actually bound (port 0 resolved).</summary>
public sealed record BoundListener(ListenerSettings Listener, ListenOptions Options)
{
    /// <summary>The bound address; after start-up a port of 0 has been replaced by the one the OS chose.</summary>
    public IPEndPoint? EndPoint => Options.IPEndPoint;

    /// <summary>The <c>listening: &lt;id&gt; &lt;protocol&gt; &lt;address&gt;:&lt;port&gt;</c> line SPEC §1 prints.</summary>
    public string ListeningLine =>
        $"listening: {Listener.Id} {Listener.Protocol.ToString().ToLowerInvariant()} {EndPoint}";
}

/// <summary>
/// The endpoints Sluice asked Kestrel to bind, and whether the server has started. Readiness
/// (<c>/readyz</c>) and the start-up lines read it.
/// </summary>
public sealed class SluiceListenerRegistry
{
    private readonly List<BoundListener> _listeners = [];
    private volatile bool _started;
    private volatile bool _draining;

    public IReadOnlyList<BoundListener> Listeners
    {
        get
        {
            lock (_listeners)
            {
                return [.. _listeners];
            }
        }
    }

    /// <summary>True once the host has started, i.e. every listener is bound.</summary>
    public bool AllBound => _started && Listeners.Count > 0;

    /// <summary>True from the moment the host begins to stop: readiness turns 503 first.</summary>
    public bool Draining => _draining;

    internal void Add(BoundListener listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
    }

    internal void MarkStarted() => _started = true;

    internal void MarkDraining() => _draining = true;
}
