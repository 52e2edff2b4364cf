using System.Text;

namespace Nexwatt.Bench.Harness;

/// <summary>A plain fixed-width table: first column left-aligned, the others right-aligned.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        void Line(string[] cells)
        {
            for (var i = 0; i < cells.Length; i++)
            {
                if (i > 0) text.Append("  ");
                text.Append(i == 0 ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
            }
            text.AppendLine();
        }
        Line(headers);
        text.AppendLine(new string('-', widths.Sum() + 2 * (widths.Length - 1)));
        foreach (var row in _rows) Line(row);
        return text.ToString();
    }
}
