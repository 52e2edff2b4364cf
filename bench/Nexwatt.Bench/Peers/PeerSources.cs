namespace Nexwatt.Bench.Peers;

/// <summary>Where the peers' sources are: copied next to the tool by the build, else bench/peers in the checkout.</summary>
internal static class PeerSources
{
    public static string Path(string fileName)
    {
        var besideTool = System.IO.Path.Combine(AppContext.BaseDirectory, "peers", fileName);
        if (File.Exists(besideTool)) return besideTool;
        var inCheckout = System.IO.Path.Combine(Nexwatt.Testing.RepoPaths.Root, "bench", "peers", fileName);
        if (File.Exists(inCheckout)) return inCheckout;
        throw new Harness.BenchException($"Peer source {fileName} not found in {besideTool} or {inCheckout}.");
    }
}
