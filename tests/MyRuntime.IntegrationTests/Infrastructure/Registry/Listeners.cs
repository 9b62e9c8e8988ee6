using System.Net;

namespace MyRuntime.IntegrationTests.Infrastructure.Registry;

/// <summary>Closing the test's HTTP listeners. HttpListener.Close can throw while another listener of the process
/// takes or leaves a port at the same moment (its managed endpoint table is shared): the listener is closed by
/// then as far as this test is concerned, so that must not fail a test that already passed.</summary>
public static class Listeners
{
    public static void Close(HttpListener listener)
    {
        try
        {
            listener.Stop();
            listener.Close();
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
