using System.CommandLine;
using System.Text.Json;
using MyRuntime.Cli;
using MyRuntime.Images.Store;
using MyRuntime.Oci;

namespace MyRuntime.Commands.Images;

/// <summary>image ls|inspect|prune|rm|pull: the image management group.</summary>
public static class ImageCommand
{
    public static Command Build(GlobalOptions g)
    {
        var cmd = new Command("image", "manage images");
        cmd.Subcommands.Add(ImagesCommand.Build(g, "ls"));
        cmd.Subcommands.Add(Inspect(g));
        cmd.Subcommands.Add(Prune(g));
        cmd.Subcommands.Add(RmiCommand.Build(g, "rm"));
        cmd.Subcommands.Add(PullCommand.Build(g));
        cmd.Subcommands.Add(LoadCommand.Build(g));
        cmd.Subcommands.Add(SaveCommand.Build(g));
        cmd.Subcommands.Add(ImportCommand.Build(g));
        cmd.Subcommands.Add(ImageMountCommand.Mount(g));
        cmd.Subcommands.Add(ImageMountCommand.Unmount(g));
        return cmd;
    }

    private static Command Inspect(GlobalOptions g)
    {
        var images = new Argument<string[]>("image") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("inspect", "show images' details as a JSON array") { images };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            var store = new ImageStore(new StoreLayout(r.GetValue(g.StorageRoot)!));
            var list = new List<ImageInspect>();
            int status = 0;
            foreach (string image in r.GetValue(images)!)
            {
                var record = store.Resolve(image, out _);
                if (record is null)
                {
                    ((CliLog)ctx.Log).Error($"No such image: {image}");
                    status = 1;
                    continue;
                }

                var config = JsonSerializer.Deserialize(store.Blobs.Read(MyRuntime.Oci.ImageSpec.Digest.Parse(record.ConfigDigest)), OciJson.Default.ImageConfig);
                list.Add(ImageInspect.From(record, config));
            }

            Console.Out.WriteLine(JsonSerializer.Serialize(list, ImagesJson.Default.ListImageInspect));
            return status;
        }));
        return cmd;
    }

    private static Command Prune(GlobalOptions g)
    {
        var force = new Option<bool>("--force", "-f") { Description = "do not ask (accepted; prune never asks)" };
        var cmd = new Command("prune", "remove images without tags") { force };
        cmd.SetAction(r => CliRunner.Run(g, r, _ =>
        {
            var lines = new ImageRemoval(new ImageStore(new StoreLayout(r.GetValue(g.StorageRoot)!))).Prune();
            if (lines.Count > 0)
            {
                Console.Out.WriteLine("Deleted Images:");
                foreach (string line in lines)
                {
                    Console.Out.WriteLine(line);
                }
            }

            Console.Out.WriteLine($"Total reclaimed images: {lines.Count(l => l.StartsWith("deleted:", StringComparison.Ordinal))}");
            return 0;
        }));
        return cmd;
    }

}
