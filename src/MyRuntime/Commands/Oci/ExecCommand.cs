using System.CommandLine;
using System.Globalization;
using MyRuntime.Cli;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Config;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>exec ID [--process FILE | COMMAND...]: a new process in a running container.</summary>
public static class ExecCommand
{
    public static Command Build(GlobalOptions g)
    {
        var id = new Argument<string>("container-id");
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore };
        var processFile = new Option<string?>("--process", "-p") { Description = "path to a process.json" };
        var consoleSocket = new Option<string?>("--console-socket") { Description = "unix socket that receives the pty master" };
        var cwd = new Option<string?>("--cwd") { Description = "working directory in the container" };
        var env = new Option<string[]>("--env", "-e") { Description = "set an environment variable", AllowMultipleArgumentsPerToken = false };
        var tty = new Option<bool>("--tty", "-t") { Description = "allocate a pseudo-TTY" };
        var user = new Option<string?>("--user", "-u") { Description = "UID[:GID]" };
        var groups = new Option<string[]>("--additional-gids", "-g") { Description = "additional gids" };
        var detach = new Option<bool>("--detach", "-d") { Description = "detach from the process" };
        var pidFile = new Option<string?>("--pid-file") { Description = "file to write the process's pid to" };
        var noNewPrivs = new Option<bool>("--no-new-privs") { Description = "set no_new_privs" };
        var caps = new Option<string[]>("--cap", "-c") { Description = "add a capability" };
        var preserveFds = new Option<int>("--preserve-fds") { Description = "extra descriptors (from 3) to pass" };
        var label = new Option<string?>("--process-label") { Hidden = true };
        var apparmor = new Option<string?>("--apparmor") { Hidden = true };
        var cgroup = new Option<string[]>("--cgroup") { Hidden = true };
        var ignorePaused = new Option<bool>("--ignore-paused") { Hidden = true };
        var cmd = new Command("exec", "execute a new process inside a container")
        {
            id, command, processFile, consoleSocket, cwd, env, tty, user, groups, detach, pidFile, noNewPrivs, caps,
            preserveFds, label, apparmor, cgroup, ignorePaused,
        };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            string containerId = r.GetValue(id)!;
            Process process;
            if (r.GetValue(processFile) is { } file)
            {
                process = SpecLoader.ParseProcess(ReadFile(file), file);
            }
            else
            {
                var state = new StateStore(ctx.Root).Load(containerId);
                var args = r.GetValue(command) ?? [];
                if (args.Length == 0)
                {
                    throw new RuntimeException("exec needs a command or --process");
                }

                var baseProcess = state.Config.Process ?? new Process();
                process = new Process
                {
                    Args = [.. args],
                    Env = baseProcess.Env is null ? null : [.. baseProcess.Env],
                    Cwd = baseProcess.Cwd,
                    User = new User { Uid = baseProcess.User.Uid, Gid = baseProcess.User.Gid, AdditionalGids = baseProcess.User.AdditionalGids, Umask = baseProcess.User.Umask },
                    Capabilities = baseProcess.Capabilities,
                    NoNewPrivileges = baseProcess.NoNewPrivileges,
                    Rlimits = baseProcess.Rlimits,
                };
            }

            ApplyFlags(r, process, cwd, env, tty, user, groups, noNewPrivs, caps);
            int? status = Executor.Exec(ctx, new ExecOptions
            {
                Id = containerId,
                Process = process,
                ConsoleSocket = r.GetValue(consoleSocket),
                PidFile = r.GetValue(pidFile),
                Detach = r.GetValue(detach),
                PreserveFds = r.GetValue(preserveFds),
            });
            return status ?? 0;
        }));
        return cmd;
    }

    private static void ApplyFlags(ParseResult r, Process p, Option<string?> cwd, Option<string[]> env, Option<bool> tty, Option<string?> user, Option<string[]> groups, Option<bool> noNewPrivs, Option<string[]> caps)
    {
        if (r.GetValue(cwd) is { } dir)
        {
            p.Cwd = dir;
        }

        if (r.GetValue(env) is { Length: > 0 } extra)
        {
            var list = p.Env ?? [];
            foreach (string e in extra)
            {
                string key = e.Split('=', 2)[0];
                list.RemoveAll(x => x.Split('=', 2)[0] == key);
                list.Add(e);
            }

            p.Env = list;
        }

        if (r.GetValue(tty))
        {
            p.Terminal = true;
        }

        if (r.GetValue(user) is { } u)
        {
            string[] parts = u.Split(':', 2);
            if (!uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
                || (parts.Length == 2 && !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                throw new RuntimeException($"invalid --user '{u}': want UID[:GID] as numbers");
            }

            p.User.Uid = uid;
            p.User.Gid = parts.Length == 2 ? uint.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
        }

        if (r.GetValue(groups) is { Length: > 0 } gids)
        {
            p.User.AdditionalGids = [.. gids.Select(x => uint.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid) ? gid : throw new RuntimeException($"invalid gid '{x}'"))];
        }

        if (r.GetValue(noNewPrivs))
        {
            p.NoNewPrivileges = true;
        }

        if (r.GetValue(caps) is { Length: > 0 } added && p.Capabilities is { } c)
        {
            foreach (string cap in added)
            {
                foreach (var set in new[] { c.Bounding, c.Effective, c.Permitted })
                {
                    if (set is not null && !set.Contains(cap))
                    {
                        set.Add(cap);
                    }
                }
            }
        }
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeException($"read process file {path}: {e.Message}");
        }
    }
}
