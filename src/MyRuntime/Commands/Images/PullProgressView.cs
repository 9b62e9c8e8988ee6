using System.Diagnostics;
using MyRuntime.Images.Pull;

namespace MyRuntime.Commands.Images;

/// <summary>A pull's progress on stdout: on a terminal, one line per layer redrawn in place (state, bar, bytes,
/// speed); otherwise plain lines, one per change of state (<c>HEX: Pulling fs layer</c>, <c>HEX: Download complete</c>).</summary>
public sealed class PullProgressView : IPullProgress
{
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(100);
    private readonly Lock gate = new();
    private readonly bool terminal;
    private readonly List<string> order = [];
    private readonly Dictionary<string, LayerLine> layers = [];
    private readonly Stopwatch sinceRedraw = Stopwatch.StartNew();
    private int drawn;

    private readonly TextWriter output;

    /// <param name="terminal">Redraw lines in place.</param>
    /// <param name="output">Where to draw: stdout for pull, stderr for run and create (null: stdout).</param>
    public PullProgressView(bool terminal, TextWriter? output = null)
    {
        this.terminal = terminal;
        this.output = output ?? Console.Out;
    }

    public void Status(string line)
    {
        lock (gate)
        {
            if (terminal)
            {
                Redraw();
                order.Clear();
                layers.Clear();
                drawn = 0;
            }

            output.WriteLine(line);
        }
    }

    public void Layer(string id, LayerStatus status, long current, long total)
    {
        lock (gate)
        {
            if (!layers.TryGetValue(id, out var line))
            {
                line = new LayerLine(Stopwatch.StartNew());
                layers[id] = line;
                order.Add(id);
            }

            bool changed = line.Status != status;
            line.Status = status;
            line.Current = current;
            line.Total = total;
            if (!terminal)
            {
                string? text = status switch
                {
                    LayerStatus.PullingFsLayer => "Pulling fs layer",
                    LayerStatus.DownloadComplete => "Download complete",
                    LayerStatus.AlreadyExists => "Already exists",
                    LayerStatus.PullComplete => "Pull complete",
                    _ => null,
                };
                if (changed && text is not null)
                {
                    output.WriteLine($"{id}: {text}");
                }

                return;
            }

            if (changed || sinceRedraw.Elapsed >= RedrawEvery)
            {
                Redraw();
            }
        }
    }

    private void Redraw()
    {
        if (order.Count == 0)
        {
            return;
        }

        var sb = new System.Text.StringBuilder();
        if (drawn > 0)
        {
            sb.Append($"\x1b[{drawn}A");
        }

        foreach (string id in order)
        {
            sb.Append("\x1b[2K").Append(id).Append(": ").Append(layers[id].Describe()).Append('\n');
        }

        output.Write(sb.ToString());
        output.Flush();
        drawn = order.Count;
        sinceRedraw.Restart();
    }

    private sealed class LayerLine(Stopwatch clock)
    {
        public LayerStatus? Status { get; set; }

        public long Current { get; set; }

        public long Total { get; set; }

        public string Describe()
        {
            switch (Status)
            {
                case LayerStatus.PullingFsLayer:
                    return "Pulling fs layer";
                case LayerStatus.AlreadyExists:
                    return "Already exists";
                case LayerStatus.DownloadComplete:
                    return $"Download complete {ImageFormat.Size(Total)}";
                case LayerStatus.Extracting:
                    return "Extracting";
                case LayerStatus.PullComplete:
                    return "Pull complete";
                default:
                    const int width = 30;
                    int filled = Total > 0 ? (int)Math.Min(width, Current * width / Total) : 0;
                    string bar = new string('=', Math.Max(0, filled - 1)) + (filled > 0 ? ">" : "") + new string(' ', width - filled);
                    double seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                    return $"Downloading [{bar}] {ImageFormat.Size(Current)}/{ImageFormat.Size(Total)} {ImageFormat.Size((long)(Current / seconds))}/s";
            }
        }
    }
}
