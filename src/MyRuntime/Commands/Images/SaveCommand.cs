using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Images.Archive;
using MyRuntime.Images.Store;

namespace MyRuntime.Commands.Images;

/// <summary>save [-o FILE] [--format F] IMAGE…: images into a tar archive (stdout without -o, never a terminal).</summary>
public static class SaveCommand
{
    public static Command Build(GlobalOptions g)
    {
        var images = new Argument<string[]>("image") { Arity = ArgumentArity.OneOrMore, Description = "NAME[:TAG], NAME@DIGEST or image id" };
        var output = new Option<string?>("--output", "-o") { Description = "write to this file instead of stdout" };
        var format = new Option<string?>("--format")
        {
            Description = "oci-archive or docker-archive (default: both in one tar, as Docker 25+ writes)",
        };
        var cmd = new Command("save", "save images to a tar archive") { images, output, format };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            var saver = new ImageSaver(new StoreLayout(r.GetValue(g.StorageRoot)!));
            var fmt = ArchiveFormats.Parse(r.GetValue(format));
            var names = r.GetValue(images)!;
            if (r.GetValue(output) is { } path)
            {
                saver.SaveToFile(names, path, fmt);
                return 0;
            }

            if (!Console.IsOutputRedirected)
            {
                ((CliLog)ctx.Log).Error("cowardly refusing to save to a terminal. Use the -o flag or redirect");
                return 1;
            }

            using var stdout = Console.OpenStandardOutput();
            saver.Save(names, stdout, fmt);
            stdout.Flush();
            return 0;
        }));
        return cmd;
    }
}
