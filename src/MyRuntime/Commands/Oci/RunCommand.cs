using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>run ID: create and start; in the foreground, wait, remove, and exit with the container's status.</summary>
public static class RunCommand
{
    public static Command Build(GlobalOptions g)
    {
        var f = new CreateFlags();
        var detach = new Option<bool>("--detach", "-d") { Description = "do not wait for the container to exit" };
        var keep = new Option<bool>("--keep") { Description = "keep the container's state after it exits" };
        var noSubreaper = new Option<bool>("--no-subreaper") { Description = "accepted for runc compatibility", Hidden = true };
        var cmd = new Command("run", "create and start a container");
        f.AddTo(cmd);
        cmd.Options.Add(detach);
        cmd.Options.Add(keep);
        cmd.Options.Add(noSubreaper);
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            bool detached = r.GetValue(detach);
            var o = f.Options(r, allocateConsole: !detached);
            var state = Creator.Create(ctx, o, out int consoleMaster);
            var ops = new Operations(ctx);
            ops.Start(state);
            Runtime.Timing.Mark("run: started");
            if (detached)
            {
                return 0;
            }

            int status = Foreground.Wait(state.Pid, consoleMaster);
            Runtime.Timing.Mark("run: exited");
            if (status == 137 && Runtime.Cgroups.Cgroup.Open(state.Cgroup)?.OomKills() > 0)
            {
                ctx.Log.Warn($"container {o.Id} was killed by the OOM killer");
                Console.Error.WriteLine($"myruntime: container {o.Id} was killed by the OOM killer (memory limit reached)");
            }

            if (!r.GetValue(keep))
            {
                ops.Delete(state, force: true);
            }

            Runtime.Timing.Mark("run: deleted");
            return status;
        }));
        return cmd;
    }
}
