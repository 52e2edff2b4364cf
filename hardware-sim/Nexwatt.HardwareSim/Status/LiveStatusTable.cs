using Spectre.Console;

namespace Nexwatt.HardwareSim.Status;

/// <summary>The technician's view on a terminal: a Spectre.Console live table refreshed about once a second.</summary>
internal static class LiveStatusTable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(StatusSource source, TimeProvider time, CancellationToken cancellationToken)
    {
        var table = Build(source);
        try
        {
            await AnsiConsole.Live(table).AutoClear(false).StartAsync(async context =>
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    Fill(table, source);
                    context.Refresh();
                    await Task.Delay(Refresh, time, cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static Table Build(StatusSource source)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]hardware-sim[/]");
        foreach (var column in new[] { "Device", "Endpoint", "Unit", "State", "W", "SoC", "Active controls", "Requests", "Faults injected", "Fault plan" })
            table.AddColumn(new TableColumn(column));
        Fill(table, source);
        return table;
    }

    private static void Fill(Table table, StatusSource source)
    {
        table.Rows.Clear();
        foreach (var row in source.Rows())
        {
            var d = row.Device;
            table.AddRow(
                Markup.Escape(d.Name), Markup.Escape(row.Endpoint), row.UnitId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(d.State), row.Watts, row.Soc, Markup.Escape(d.Controls),
                d.Requests.ToString(System.Globalization.CultureInfo.InvariantCulture),
                d.FaultsInjected.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(d.Faults));
        }
        table.Caption(Markup.Escape(source.Header()) + "  [grey](type 'fault NAME SPEC' + Enter to change faults, Ctrl+C to stop)[/]");
    }
}
