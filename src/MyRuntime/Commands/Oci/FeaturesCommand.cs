using System.CommandLine;
using System.Text.Json;
using MyRuntime.Cli;
using MyRuntime.Linux;
using MyRuntime.Oci;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Config;

namespace MyRuntime.Commands.Oci;

/// <summary>features: what this runtime implements, as the runtime-spec's features document.</summary>
public static class FeaturesCommand
{
    public static Command Build(GlobalOptions g)
    {
        var cmd = new Command("features", "show the enabled features");
        cmd.SetAction(r => CliRunner.Run(g, r, _ =>
        {
            var features = new Features
            {
                Hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
                MountOptions =
                [
                    "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "lazytime", "mand", "noatime",
                    "nodev", "nodiratime", "noexec", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid",
                    "nosymfollow", "private", "rbind", "relatime", "remount", "ro", "rprivate", "rshared", "rslave",
                    "runbindable", "rw", "shared", "slave", "strictatime", "suid", "symfollow", "sync", "unbindable",
                ],
                Linux = new FeaturesLinux
                {
                    Namespaces = [.. NamespaceKinds.All.Select(n => n.Name)],
                    Capabilities = [.. Capabilities.Names.Take(Capabilities.LastCap() + 1)],
                    Cgroup = new FeaturesCgroup { V1 = true, V2 = true, Rdma = true },
                },
                Annotations = new() { ["org.opencontainers.runtime-spec.features"] = "myruntime" },
            };
            Console.Out.WriteLine(JsonSerializer.Serialize(features, OciJson.Indented.Features));
            return 0;
        }));
        return cmd;
    }
}
