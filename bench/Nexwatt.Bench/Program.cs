using Nexwatt.Bench;
using Nexwatt.Bench.Buffer;
using Nexwatt.Bench.CollectorIngest;
using Nexwatt.Bench.CollectorStore;
using Nexwatt.Bench.Dispatch;
using Nexwatt.Bench.Enphase;
using Nexwatt.Bench.Harness;
using Nexwatt.Bench.Modbus;
using Nexwatt.Bench.Mqtt;
using Nexwatt.Bench.Scan;

// Exit codes: 0 every target met, 1 the bench could not run, 2 bad command line, 3 it ran and a target was missed.
// The SIGKILL loop's child process: appends until it is killed (see BufferKillLoop).
if (args is [BufferKillLoop.ChildCommand, var childKind, var childPath])
    return await BufferKillLoop.RunChildAsync(childKind, childPath, CancellationToken.None);

BenchArguments arguments;
try
{
    arguments = BenchArguments.Parse(args);
}
catch (FormatException ex)
{
    if (ex.Message.Length > 0) Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(BenchArguments.Usage);
    return ex.Message.Length > 0 ? 2 : 0;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

try
{
    var met = true;
    if (arguments.Command is "modbus" or "all")
        met &= await ModbusBenchmark.RunAsync(arguments, cancellation.Token);
    if (arguments.Command is "modbus-rtu")
        met &= await Nexwatt.Bench.ModbusRtu.ModbusRtuBenchmark.RunAsync(arguments, cancellation.Token);
    if (arguments.Command is "scan" or "all")
        met &= await ScanBenchmark.RunAsync(arguments, cancellation.Token);
    if (arguments.Command is "buffer")
        met &= await BufferBenchmark.RunAsync(arguments, cancellation.Token);
    if (arguments.Command is "buffer-contenders")
        met &= await BufferContendersBenchmark.RunAsync(arguments, cancellation.Token);
    if (arguments.Command is "collector-store")
        met &= await CollectorStoreBenchmark.RunAsync(arguments, cancellation.Token);
    if (arguments.Command is "collector-ingest")
        met &= await CollectorIngestBenchmark.RunAsync(arguments, cancellation.Token);
    if (arguments.Command is "dispatch")
        met &= await DispatchBenchmark.RunAsync(arguments, cancellation.Token);
    if (arguments.Command is "enphase")
        met &= await EnphaseBenchmark.RunAsync(arguments, cancellation.Token);
    if (arguments.Command is "agent-memory")
        met &= await Nexwatt.Bench.AgentMemory.AgentMemoryBenchmark.RunAsync(arguments, cancellation.Token);
    if (arguments.Command is "mqtt")
        met &= await MqttBenchmark.RunAsync(arguments, cancellation.Token);
    return met ? 0 : 3;
}
catch (BenchException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 1;
}
