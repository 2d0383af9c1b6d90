using Sluice.Configuration.Settings;

namespace Sluice.Hosting;

/// <summary>Connection feature naming the Sluice listener a connection arrived on.</summary>
public interface ISluiceListenerFeature
{
    ListenerSettings Listener { get; }
}

internal sealed class SluiceListenerFeature(ListenerSettings listener) : ISluiceListenerFeature
{
    public ListenerSettings Listener { get; } = listener;
}
