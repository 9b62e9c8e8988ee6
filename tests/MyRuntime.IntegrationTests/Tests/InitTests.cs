using System.Diagnostics;
using System.Text;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>The `--init` program run directly on the host: `myruntime __init -- CMD...` (a child subreaper there,
/// so orphans come to it as they would to PID 1 of a container).</summary>
public sealed class InitTests
{
    private static ProcResult Init(string script) =>
        HostCommand.Run(TestSettings.RuntimeBinary, "__init", "--", "/bin/sh", "-c", script);

    [NotOnRuncFact("__init is myruntime's own")]
    public void Init_OrphansThatExit_AreReaped()
    {
        // Ten orphans (their parent subshell exits at once) must come to the init; once they have exited,
        // none may linger as a zombie whose parent is the init ($PPID of the shell).
        const string script = """
            count() { n=0; for f in /proc/[0-9]*/stat; do
                read -r line 2>/dev/null < "$f" || continue; set -- ${line##*) }
                if [ "$2" = "$PPID" ] && { [ "$1" = Z ] || [ "$want" = all ]; }; then n=$((n+1)); fi
              done; echo $n; }
            for i in 1 2 3 4 5 6 7 8 9 10; do ( sleep 1 & ); done
            sleep 0.2
            echo "children=$(want=all count)"
            sleep 2
            echo "zombies=$(want=zombies count)"
            """;

        var r = Init(script);

        Assert.True(r.ExitCode == 0, r.ToString());
        // The shell itself is a child of the init too, so 11 non-zombie children while the orphans sleep.
        Assert.Contains("children=11", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("zombies=0", r.Stdout, StringComparison.Ordinal);
    }

    [NotOnRuncFact("__init is myruntime's own")]
    public void Init_PassesTheExitCodeThrough()
    {
        Assert.Equal(42, Init("exit 42").ExitCode);
        Assert.Equal(0, Init("true").ExitCode);
        Assert.Equal(137, Init("kill -9 $$").ExitCode);
        Assert.Equal(143, Init("kill -TERM $$; sleep 5").ExitCode);
    }

    [NotOnRuncFact("__init is myruntime's own")]
    public void Init_UnknownProgram_Exits127WithOneLine()
    {
        var r = HostCommand.Run(TestSettings.RuntimeBinary, "__init", "--", "no-such-program-here");

        Assert.True(r.ExitCode == 127, r.ToString());
        Assert.Single(r.StderrLines);
        Assert.Contains("no-such-program-here", r.Stderr, StringComparison.Ordinal);
    }

    [NotOnRuncFact("__init is myruntime's own")]
    public void Init_ChildRunsInItsOwnProcessGroup()
    {
        // Field 5 of stat is the process group: the shell leads its own, not the init's.
        var r = Init("line=$(cat /proc/$$/stat); set -- ${line##*) }; echo \"pgrp=$3 self=$$\"");

        Assert.True(r.ExitCode == 0, r.ToString());
        string[] f = r.Stdout.Trim().Split(' ');
        Assert.Equal(f[0]["pgrp=".Length..], f[1]["self=".Length..]);
    }

    [NotOnRuncFact("__init is myruntime's own")]
    public void Init_ForwardsSignalsToTheChild()
    {
        foreach (var (name, code) in new[] { ("TERM", 7), ("HUP", 8), ("USR1", 9), ("INT", 10) })
        {
            using var init = InitProcess.Start($"trap 'echo got-{name}; exit {code}' {name}; echo ready; while :; do sleep 0.05; done");
            init.WaitFor("ready");

            var kill = HostCommand.Run("/bin/kill", "-" + name, init.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(kill.ExitCode == 0, kill.ToString());

            int exit = init.WaitForExit(name);
            Assert.True(exit == code, $"SIGTERM {name}: exit {exit}\n{init.Output}");
            Assert.Contains($"got-{name}", init.Output, StringComparison.Ordinal);
        }
    }

    [NotOnRuncFact("__init is myruntime's own")]
    public void Init_ForwardsInterruptsItInheritedIgnored()
    {
        // A background job starts with SIGINT and SIGQUIT ignored; the init takes them back and still forwards them.
        using var init = InitProcess.Start("trap 'echo got-INT; exit 4' INT; echo ready; while :; do sleep 0.05; done", ignoringInterrupts: true);
        init.WaitFor("ready");
        var kill = HostCommand.Run("/bin/kill", "-INT", init.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(kill.ExitCode == 0, kill.ToString());
        Assert.Equal(4, init.WaitForExit("INT"));
        Assert.Contains("got-INT", init.Output, StringComparison.Ordinal);
    }

    /// <summary>An init running a shell script in the background, its stdout collected.</summary>
    private sealed class InitProcess : IDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output = new();

        private InitProcess(Process process)
        {
            this.process = process;
        }

        public int Pid => process.Id;

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        /// <param name="script">The shell script the init runs.</param>
        /// <param name="ignoringInterrupts">Start the init as a background job is started: SIGINT and SIGQUIT ignored.</param>
        public static InitProcess Start(string script, bool ignoringInterrupts = false)
        {
            var psi = new ProcessStartInfo(ignoringInterrupts ? "/bin/sh" : TestSettings.RuntimeBinary)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            string[] args = ignoringInterrupts
                ? ["-c", "trap '' INT QUIT; exec \"$0\" __init -- /bin/sh -c \"$1\"", TestSettings.RuntimeBinary, script]
                : ["__init", "--", "/bin/sh", "-c", script];
            foreach (string a in args)
            {
                psi.ArgumentList.Add(a);
            }

            var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the init");
            var init = new InitProcess(p);
            p.StandardInput.Close();
            p.OutputDataReceived += (_, e) => init.Append(e.Data);
            p.ErrorDataReceived += (_, e) => init.Append(e.Data);
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return init;
        }

        public void WaitFor(string text)
        {
            var deadline = DateTime.UtcNow + RuntimeRunner.DefaultTimeout;
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline || process.HasExited)
                {
                    throw new TimeoutException($"the init never printed {text}:\n{Output}");
                }

                Thread.Sleep(20);
            }
        }

        public int WaitForExit(string? what = null)
        {
            if (!process.WaitForExit((int)RuntimeRunner.DefaultTimeout.TotalMilliseconds))
            {
                throw new TimeoutException($"the init did not exit{(what is null ? "" : " after SIG" + what)}:\n{Output}\n{SignalState(process.Id)}");
            }

            process.WaitForExit();
            return process.ExitCode;
        }

        /// <summary>The signal masks of a process and its children, for a failure message.</summary>
        private static string SignalState(int pid)
        {
            var lines = new List<string>();
            foreach (string dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
            {
                try
                {
                    string[] status = File.ReadAllLines(Path.Combine(dir, "status"));
                    string ppid = status.FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal))?.Split('\t')[1] ?? "";
                    if (Path.GetFileName(dir) == pid.ToString(System.Globalization.CultureInfo.InvariantCulture) || ppid == pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    {
                        lines.Add(Path.GetFileName(dir) + ": " + string.Join(' ', status.Where(l => l.StartsWith("Name:", StringComparison.Ordinal) || l.StartsWith("State:", StringComparison.Ordinal) || l.StartsWith("Sig", StringComparison.Ordinal) || l.StartsWith("ShdPnd", StringComparison.Ordinal))));
                    }
                }
                catch (IOException)
                {
                }
            }

            return string.Join('\n', lines);
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                // The script leaves on TERM (forwarded by the init); KILL if it does not.
                _ = HostCommand.Run("/bin/kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (!process.WaitForExit(5000))
                {
                    process.Kill();
                    process.WaitForExit();
                }
            }

            process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
