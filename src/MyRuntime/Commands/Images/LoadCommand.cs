using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Images.Archive;
using MyRuntime.Images.Pull;
using MyRuntime.Images.Registry;
using MyRuntime.Images.Store;

namespace MyRuntime.Commands.Images;

/// <summary>load [-i FILE] [-q]: images from a docker-archive or OCI layout tar (stdin without -i).</summary>
public static class LoadCommand
{
    public static Command Build(GlobalOptions g)
    {
        var input = new Option<string?>("--input", "-i") { Description = "read from this tar archive file instead of stdin" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "accepted for compatibility (load prints only the loaded images)" };
        var cmd = new Command("load", "load images from a tar archive (docker-archive or OCI layout; plain, gzip or zstd)") { input, quiet };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            string? path = r.GetValue(input);
            if (path is null && !Console.IsInputRedirected)
            {
                ((CliLog)ctx.Log).Error("requested load from stdin, but stdin is empty (use -i FILE or a pipe)");
                return 1;
            }

            var layout = new StoreLayout(r.GetValue(g.StorageRoot)!);

            var loader = new ImageLoader(layout, new StoreLayerUnpacker(layout));
            using var source = path is null ? Console.OpenStandardInput() : File.OpenRead(path);
            var loaded = loader.LoadAsync(source, PlatformSelector.Default, new SilentProgress(), CancellationToken.None).GetAwaiter().GetResult();
            foreach (string line in loaded.SelectMany(l => l.Lines))
            {
                Console.Out.WriteLine(line);
            }

            return 0;
        }));
        return cmd;
    }
}
