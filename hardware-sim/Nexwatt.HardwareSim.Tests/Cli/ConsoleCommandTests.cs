using Nexwatt.HardwareSim.Hosting;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Cli;

public sealed class ConsoleCommandTests
{
    [Fact]
    public async Task Fault_plans_change_at_runtime()
    {
        var time = new FakeTimeProvider(TestPlans.MidsummerNoon);
        using var sim = TestPlans.Simulation(time, TestPlans.Inverter(), TestPlans.Battery(unit: 2));
        var output = new StringWriter();
        var commands = new ConsoleCommands(sim, output);
        await commands.RunAsync(new StringReader("fault inverter-1 drop-every=5,slow=100\nfault all freeze\nfault pv-9 drop=0.1\nbogus\n"), CancellationToken.None);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("FAULT inverter-1 drop-every=5,slow=100", lines[0]);
        Assert.Equal("FAULT inverter-1,battery-1 freeze", lines[1]);
        Assert.StartsWith("ERROR no device named 'pv-9'", lines[2]);
        Assert.StartsWith("ERROR usage", lines[3]);
        Assert.All(sim.Devices, d => Assert.True(d.Faults.Plan.Frozen));
    }
}
