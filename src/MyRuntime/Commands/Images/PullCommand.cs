using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Images.Pull;
using MyRuntime.Images.Reference;
using MyRuntime.Images.Registry;
using MyRuntime.Images.Store;

namespace MyRuntime.Commands.Images;

/// <summary>pull [--platform P] [-q] REF: the image from its registry into the store.</summary>
public static class PullCommand
{
    public static Command Build(GlobalOptions g)
    {
        var reference = new Argument<string>("image") { Description = "NAME[:TAG|@DIGEST]" };
        var platform = new Option<string?>("--platform") { Description = "os/arch[/variant] to pull from a manifest list (default linux/amd64)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only the image's name" };
        var cmd = new Command("pull", "pull an image from a registry") { reference, platform, quiet };
        cmd.SetAction(r => CliRunner.Run(g, r, _ =>
        {
            var reff = ImageReference.Parse(r.GetValue(reference)!);
            var selector = PlatformSelector.Parse(r.GetValue(platform));
            bool q = r.GetValue(quiet);
            if (reff.Tag == ImageReference.DefaultTag && !r.GetValue(reference)!.Contains(':' + ImageReference.DefaultTag, StringComparison.Ordinal) && !q)
            {
                Console.Out.WriteLine("Using default tag: latest");
            }

            IPullProgress view = q ? new SilentProgress() : new PullProgressView(!Console.IsOutputRedirected);
            var layout = new StoreLayout(r.GetValue(g.StorageRoot)!);
            var puller = new Puller(layout, CredentialStore.FromEnvironment(), new StoreLayerUnpacker(layout));
            puller.PullAsync(reff, selector, view, CancellationToken.None).GetAwaiter().GetResult();
            Console.Out.WriteLine(reff.ToString());

            return 0;
        }));
        return cmd;
    }
}
