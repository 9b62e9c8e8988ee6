using System.Globalization;
using MyRuntime.Linux;

namespace MyRuntime.Runtime.Config;

/// <summary>A CPU list as the spec writes it ("0-3,7"), parsed into CPU numbers.</summary>
public static class CpuList
{
    /// <summary>The CPUs of the list; a one-line error naming <paramref name="field"/> when it is malformed.</summary>
    public static IReadOnlyList<int> Parse(string list, string field)
    {
        var cpus = new SortedSet<int>();
        foreach (string part in list.Split(','))
        {
            string[] range = part.Trim().Split('-');
            if (range.Length > 2 || !TryCpu(range[0], out int first) || !TryCpu(range[^1], out int last) || last < first)
            {
                throw new RuntimeException($"{field} '{list}' is not a CPU list such as 0-3,7 (CPUs 0 to {Scheduling.MaxCpus - 1})");
            }

            for (int cpu = first; cpu <= last; cpu++)
            {
                cpus.Add(cpu);
            }
        }

        return [.. cpus];
    }

    private static bool TryCpu(string text, out int cpu) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out cpu) && cpu < Scheduling.MaxCpus;
}
