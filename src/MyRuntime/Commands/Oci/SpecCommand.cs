using System.CommandLine;
using System.Text.Json;
using MyRuntime.Cli;
using MyRuntime.Oci;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Config;

namespace MyRuntime.Commands.Oci;

/// <summary>spec: write a default config.json into the bundle directory.</summary>
public static class SpecCommand
{
    public static Command Build(GlobalOptions g)
    {
        var bundle = new Option<string>("--bundle", "-b") { Description = "directory to write config.json into", DefaultValueFactory = _ => "." };
        var rootless = new Option<bool>("--rootless") { Description = "a spec for a rootless container" };
        var cmd = new Command("spec", "create a new specification file") { bundle, rootless };
        cmd.SetAction(r => CliRunner.Run(g, r, _ =>
        {
            string path = Path.Combine(r.GetValue(bundle) ?? ".", "config.json");
            if (File.Exists(path))
            {
                throw new RuntimeException($"File {path} exists. Remove it first");
            }

            string json = JsonSerializer.Serialize(DefaultSpec.Create(r.GetValue(rootless)), OciJson.Indented.Spec);
            File.WriteAllText(path, json + "\n");
            return 0;
        }));
        return cmd;
    }
}
