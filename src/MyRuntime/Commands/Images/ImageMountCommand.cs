using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Images.Snapshots;
using MyRuntime.Images.Store;

namespace MyRuntime.Commands.Images;

/// <summary>image mount IMAGE and image unmount ID|IMAGE: a writable overlay snapshot of an image (its layers as
/// lowers, a fresh upper), the rootfs a bundle can point at.</summary>
public static class ImageMountCommand
{
    public static Command Mount(GlobalOptions g)
    {
        var image = new Argument<string>("image") { Description = "NAME[:TAG], ID or ID prefix" };
        var name = new Option<string?>("--name") { Description = "the snapshot's id (default image-<first 12 hex of the image id>)" };
        var cmd = new Command("mount", "mount a writable overlay snapshot of an image and print its path") { image, name };
        cmd.SetAction(r => CliRunner.Run(g, r, _ =>
        {
            var store = new ImageStore(new StoreLayout(r.GetValue(g.StorageRoot)!));
            var (_, merged) = new ImageSnapshots(store).Mount(r.GetValue(image)!, r.GetValue(name));
            Console.Out.WriteLine(merged);
            return 0;
        }));
        return cmd;
    }

    public static Command Unmount(GlobalOptions g)
    {
        var target = new Argument<string>("snapshot") { Description = "a snapshot id, or the image whose default snapshot to remove" };
        var cmd = new Command("unmount", "unmount a snapshot made by image mount and delete its changes") { target };
        cmd.Aliases.Add("umount");
        cmd.SetAction(r => CliRunner.Run(g, r, _ =>
        {
            var layout = new StoreLayout(r.GetValue(g.StorageRoot)!);
            string text = r.GetValue(target)!;
            string id = Directory.Exists(layout.Snapshot(text)) || text.Contains('/', StringComparison.Ordinal) ? text
                : new ImageStore(layout).Resolve(text, out bool _) is { } record ? ImageSnapshots.DefaultId(record) : text;
            new ImageSnapshots(new ImageStore(layout)).Unmount(id);
            Console.Out.WriteLine(id);
            return 0;
        }));
        return cmd;
    }
}
