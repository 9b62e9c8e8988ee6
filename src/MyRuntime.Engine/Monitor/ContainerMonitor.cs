using System.Globalization;
using MyRuntime.Engine.Containers;
using MyRuntime.Engine.Lifecycle;
using MyRuntime.Engine.Logs;
using MyRuntime.Images;
using MyRuntime.Linux;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Container;
using ContainerStatus = MyRuntime.Engine.Containers.ContainerStatus;

namespace MyRuntime.Engine.Monitor;

/// <summary>The monitor of one container (the role of conmon or a containerd shim): our binary run again as
/// <c>__monitor</c> in a session of its own, parent of the container's init. It creates and starts the container
/// through the runtime core, writes the container's output to its log (and to an attached command), reaps it,
/// records its exit status, OOM kill and end time, releases its cgroups and rootfs mount, and removes it when it
/// was run with --rm. It outlives the command that started it.</summary>
public static class ContainerMonitor
{
    public const string Verb = "__monitor";

    /// <summary>The monitor's argv after the verb: storage root, run root, channel fd, attach (0/1), interactive
    /// (0/1). The container's id comes over the channel (<c>start ID</c>); end of file there means none will.</summary>
    public static IReadOnlyList<string> Arguments(EngineContext ctx, int channelFd, bool attach, bool interactive) =>
        [Verb, ctx.StorageRoot, ctx.RunRoot, channelFd.ToString(CultureInfo.InvariantCulture), attach ? "1" : "0", interactive ? "1" : "0"];

    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count != 5 || !int.TryParse(args[2], out int channelFd))
        {
            Console.Error.WriteLine("myruntime: __monitor is internal to myruntime");
            return 2;
        }

        Timing.Mark("monitor: main");
        Directory.SetCurrentDirectory("/");
        var ctx = new EngineContext(args[0], args[1], NullLog.Instance);
        bool attach = args[3] == "1", interactive = args[4] == "1";
        using var channel = new MonitorChannel(channelFd);
        try
        {
            Sessions.NewSession();
        }
        catch (LinuxException)
        {
            // already a session leader
        }

        Processes.SetChildSubreaper();
        Sessions.IgnoreSigpipe();
        Sessions.UnblockAllSignals();
        if (channel.Receive() is not { } request || !request.StartsWith("start ", StringComparison.Ordinal))
        {
            return 0; // the command that spawned this monitor could not make its container
        }

        string id = request["start ".Length..];
        Timing.Mark("monitor: told to start");
        return new MonitorRun(ctx, id, channel, attach, interactive).Execute();
    }

    private sealed class MonitorRun(EngineContext ctx, string id, MonitorChannel channel, bool attach, bool interactive)
    {
        private readonly List<int> fds = [];

        public int Execute()
        {
            ContainerRecord record;
            try
            {
                record = ctx.Containers.Update(id, r =>
                {
                    r.State.MonitorPid = Environment.ProcessId;
                    r.State.MonitorStartTime = ProcFs.OwnStartTime();
                });
            }
            catch (EngineException e)
            {
                channel.Send($"error 125 {e.Message}");
                return 1;
            }

            var ops = new Operations(ctx.Runtime);
            Timing.Mark("monitor: record updated");
            JsonLogWriter? log = null;
            MyRuntime.Runtime.Container.ContainerState state;
            var pumps = new List<OutputPump>();
            NetworkAttachment? network = null;
            try
            {
                ctx.Snapshots.EnsureMounted(record.SnapshotId, volatileUpper: record.Settings.AutoRemove);
                Timing.Mark("monitor: snapshot mounted");
                if (ops.Store.TryLoad(id, out _))
                {
                    ops.Delete(id, force: true); // left by a monitor that was killed, or by a host that restarted
                }

                log = new JsonLogWriter(ctx.LogPath(id), record.Settings.LogMaxSize, Math.Max(1, record.Settings.LogMaxFiles));
                bool tty = record.Settings.Tty;
                int stdin = attach && interactive && !tty ? 0 : Open("/dev/null");
                int outRead = -1, outWrite = -1, errRead = -1, errWrite = -1;
                if (!tty)
                {
                    (outRead, outWrite) = Files.Pipe();
                    (errRead, errWrite) = Files.Pipe();
                    fds.AddRange([outRead, outWrite, errRead, errWrite]);
                }

                Networking.ContainerNetworking.JoinTarget(ctx, record);
                state = Creator.Create(ctx.Runtime, new CreateOptions
                {
                    Id = id,
                    Bundle = record.BundleDir,
                    AllocateConsole = tty,
                    Stdin = tty ? -1 : stdin,
                    Stdout = tty ? -1 : outWrite,
                    Stderr = tty ? -1 : errWrite,
                }, out int master);
                if (tty)
                {
                    fds.Add(master);
                }

                network = Networking.ContainerNetworking.Attach(ctx, record, state.Pid);
                Timing.Mark("monitor: network attached");
                if (tty)
                {
                    pumps.Add(new OutputPump(master, "stdout", log, attach ? 1 : -1));
                    if (attach && Terminals.IsTerminal(0))
                    {
                        Terminals.CopySize(0, master);
                    }

                    if (attach && interactive)
                    {
                        OutputPump.StartInputCopy(0, master);
                    }

                    StartResizer(master);
                }
                else
                {
                    CloseNow(outWrite);
                    CloseNow(errWrite);
                    pumps.Add(new OutputPump(outRead, "stdout", log, attach ? 1 : -1));
                    pumps.Add(new OutputPump(errRead, "stderr", log, attach ? 2 : -1));
                }

                pumps.ForEach(p => p.Start());
                Timing.Mark("monitor: pumps started");
                ops.Start(state);
                Timing.Mark("monitor: started");
                ctx.Containers.Update(id, r =>
                {
                    r.State.Status = ContainerStatus.Running;
                    r.State.Pid = state.Pid;
                    r.State.StartedAt = DateTimeOffset.UtcNow;
                    r.State.FinishedAt = null;
                    r.State.ExitCode = 0;
                    r.State.OomKilled = false;
                    r.State.Error = null;
                    r.State.Network = network;
                });
            }
            catch (Exception e) when (e is RuntimeException or EngineException or ImagesException or LinuxException or IOException)
            {
                int code = StartFailureCode(e.Message);
                Reconciler.Release(ctx, id, record.SnapshotId); // ends the init, so the pumps reach end of file
                pumps.ForEach(p => p.Join(TimeSpan.FromSeconds(2)));
                CloseAll();
                log?.Dispose();
                Finish(record, r =>
                {
                    r.State.ExitCode = code;
                    r.State.Error = e.Message;
                });
                channel.Send($"error {code} {e.Message}");
                return 1;
            }

            channel.Send($"pid {state.Pid}");
            int status = WaitFor(state.Pid);
            Timing.Mark("monitor: container exited");
            bool oom = status == 137 && SafeOomKills(ops);
            foreach (var pump in pumps)
            {
                pump.Join(TimeSpan.FromSeconds(2));
            }

            Timing.Mark("monitor: output drained");
            log.Dispose();
            CloseAll();
            ReleaseUnlessRemoved(record);
            Timing.Mark("monitor: released");
            Finish(record, r =>
            {
                r.State.Status = ContainerStatus.Exited;
                r.State.ExitCode = status;
                r.State.OomKilled = oom;
                r.State.FinishedAt = DateTimeOffset.UtcNow;
                r.State.Network = null;
            });
            Timing.Mark("monitor: finished");
            channel.Send(oom ? $"exit {status} oom" : $"exit {status}");
            return 0;
        }

        /// <summary>Releases the container's runtime state, cgroups and mount; a --rm container's removal (in
        /// <see cref="Finish"/>) releases them itself.</summary>
        private void ReleaseUnlessRemoved(ContainerRecord record)
        {
            if (!record.Settings.AutoRemove)
            {
                Reconciler.Release(ctx, id, record.SnapshotId);
            }
        }

        /// <summary>The record's last update by this monitor; a --rm container is removed instead.</summary>
        private void Finish(ContainerRecord record, Action<ContainerRecord> change)
        {
            try
            {
                if (record.Settings.AutoRemove)
                {
                    ContainerRemover.RemoveStopped(ctx, id, record.SnapshotId);
                    return;
                }

                ctx.Containers.Update(id, r =>
                {
                    change(r);
                    r.State.Pid = 0;
                    r.State.MonitorPid = 0;
                    r.State.MonitorStartTime = 0;
                });
            }
            catch (Exception e) when (e is EngineException or ImagesException or IOException)
            {
                // removed meanwhile (rm -f): nothing left to record
            }
        }

        private bool SafeOomKills(Operations ops)
        {
            try
            {
                return ops.OomKills(id) > 0;
            }
            catch (Exception e) when (e is RuntimeException or IOException)
            {
                return false;
            }
        }

        /// <summary>Reaps children (orphans reparented to this subreaper too) until the container's init is among them.</summary>
        private static int WaitFor(int pid)
        {
            while (Processes.WaitAny(noHang: false) is { } w)
            {
                if (w.Pid == pid)
                {
                    return Processes.DecodeStatus(w.Status);
                }
            }

            return Reconciler.UnknownExitCode;
        }

        /// <summary>Follows the attached command's terminal size: it sends "winch" on SIGWINCH.</summary>
        private void StartResizer(int master)
        {
            new Thread(() =>
            {
                while (channel.Receive() is { } line)
                {
                    if (line == "winch" && Terminals.IsTerminal(0))
                    {
                        Terminals.CopySize(0, master);
                    }
                }
            })
            { IsBackground = true, Name = "resize" }.Start();
        }

        private int Open(string path)
        {
            int fd = Files.Open(path, Files.O_RDWR);
            fds.Add(fd);
            return fd;
        }

        private void CloseNow(int fd)
        {
            fds.Remove(fd);
            Files.Close(fd);
        }

        private void CloseAll()
        {
            fds.ForEach(Files.Close);
            fds.Clear();
        }
    }

    /// <summary>Docker's exit codes for a container that could not start: 127 the command was not found, 126 it
    /// could not be run, 125 any other failure.</summary>
    public static int StartFailureCode(string message)
    {
        if (message.Contains("No such file", StringComparison.OrdinalIgnoreCase) || message.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            return 127;
        }

        return message.Contains("ermission denied", StringComparison.Ordinal) || message.Contains("EACCES", StringComparison.Ordinal) ? 126 : 125;
    }
}
