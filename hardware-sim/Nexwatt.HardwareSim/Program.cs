using Nexwatt.HardwareSim.Cli;

return await HardwareSimCommand.InvokeAsync(args, Console.Out, Console.Error, Console.In).ConfigureAwait(false);
