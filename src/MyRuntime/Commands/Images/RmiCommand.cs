using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Images;
using MyRuntime.Images.Store;

namespace MyRuntime.Commands.Images;

/// <summary>rmi [-f] IMAGE…: untags; an image left without tags is deleted with the blobs no other image uses.</summary>
public static class RmiCommand
{
    public static Command Build(GlobalOptions g, string name)
    {
        var images = new Argument<string[]>("image") { Arity = ArgumentArity.OneOrMore, Description = "NAME[:TAG], NAME@DIGEST or image id" };
        var force = new Option<bool>("--force", "-f") { Description = "remove an image by id even when it has tags in several repositories" };
        var cmd = new Command(name, "remove images") { images, force };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            var removal = new ImageRemoval(new ImageStore(new StoreLayout(r.GetValue(g.StorageRoot)!)));
            int status = 0;
            foreach (string image in r.GetValue(images)!)
            {
                try
                {
                    foreach (string line in removal.Remove(image, r.GetValue(force)))
                    {
                        Console.Out.WriteLine(line);
                    }
                }
                catch (ImagesException e)
                {
                    ((CliLog)ctx.Log).Error(e.Message);
                    status = 1;
                }
            }

            return status;
        }));
        return cmd;
    }
}
