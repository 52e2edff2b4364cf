using Nexwatt.EdgeAgent.Observability.Status;

namespace Nexwatt.EdgeAgent.Tests.Observability;

public class StatusSocketPathsTests
{
    [Fact]
    public void The_default_falls_back_to_the_runtime_folder_then_beside_the_buffer()
    {
        var candidates = StatusSocketPaths.Candidates(StatusSocketPaths.Default, "/var/lib/nexwatt-agent/buffer.db");
        Assert.Equal(StatusSocketPaths.Default, candidates[0]);
        Assert.Equal("/var/lib/nexwatt-agent/status.sock", candidates[^1]);
    }

    [Fact]
    public void A_configured_path_is_the_only_one_and_empty_turns_it_off()
    {
        Assert.Equal(["/tmp/x.sock"], StatusSocketPaths.Candidates("/tmp/x.sock", "/var/lib/nexwatt-agent/buffer.db"));
        Assert.Empty(StatusSocketPaths.Candidates("", "/var/lib/nexwatt-agent/buffer.db"));
    }
}
