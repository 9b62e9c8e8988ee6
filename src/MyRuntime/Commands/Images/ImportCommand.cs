using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Images.Archive;
using MyRuntime.Images.Pull;
using MyRuntime.Images.Store;

namespace MyRuntime.Commands.Images;

/// <summary>import FILE|- [REPOSITORY[:TAG]]: a rootfs tarball as a one-layer image; prints its id.</summary>
public static class ImportCommand
{
    public static Command Build(GlobalOptions g)
    {
        var file = new Argument<string>("file") { Description = "the tarball (plain, gzip or zstd), - for stdin" };
        var name = new Argument<string?>("repository") { Arity = ArgumentArity.ZeroOrOne, Description = "REPOSITORY[:TAG] to tag the image with" };
        var change = new Option<List<string>>("--change", "-c") { Description = "apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)" };
        var cmd = new Command("import", "import a rootfs tarball as a one-layer image") { file, name, change };
        cmd.SetAction(r => CliRunner.Run(g, r, _ =>
        {
            string path = r.GetValue(file)!;
            var layout = new StoreLayout(r.GetValue(g.StorageRoot)!);
            var importer = new ImageImporter(layout, new StoreLayerUnpacker(layout));
            using var source = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);
            var record = importer.ImportAsync(source, r.GetValue(name), path == "-" ? "stdin" : path, new SilentProgress(), CancellationToken.None, r.GetValue(change) ?? [])
                .GetAwaiter().GetResult();
            Console.Out.WriteLine(record.Id);
            return 0;
        }));
        return cmd;
    }
}
