using System.Formats.Tar;
using MyRuntime.Linux;

namespace MyRuntime.Images.Unpack;

/// <summary>OCI whiteouts turned into what overlayfs reads: <c>.wh.NAME</c> becomes a 0/0 character device NAME
/// (owned as the entry says), <c>.wh..wh..opq</c> sets <c>trusted.overlay.opaque=y</c> on its directory. Both
/// need root (mknod of a device, a trusted.* xattr). Other <c>.wh..wh.*</c> names (aufs bookkeeping) are skipped.
/// Root of a user namespace (rootless) may make the 0/0 device (Linux 5.8+) but no trusted.* xattr: there the
/// directory gets <c>user.overlay.opaque</c>, which overlayfs reads when mounted with <c>userxattr</c>.</summary>
internal static class Whiteouts
{
    public const string Prefix = ".wh.";
    public const string Opaque = ".wh..wh..opq";
    public const string OpaqueXattr = "trusted.overlay.opaque";
    public const string UserOpaqueXattr = "user.overlay.opaque";

    /// <summary>True when the entry was a whiteout (and has been applied or skipped).</summary>
    public static bool TryApply(LayerDirectory root, string path, string name, TarEntry entry, UnpackOptions options)
    {
        if (path.Length == 0)
        {
            return false;
        }

        var (parent, leaf) = EntryPath.Split(path);
        if (!leaf.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        bool opaque = leaf == Opaque;
        if (!opaque && leaf.StartsWith(Prefix + Prefix, StringComparison.Ordinal))
        {
            return true;
        }

        string hidden = leaf[Prefix.Length..];
        if (!opaque && hidden is "" or "." or "..")
        {
            throw EntryPath.Refused(name, "it is a whiteout of no name");
        }

        if (!options.Privileged)
        {
            throw new ImagesException($"layer entry \"{EntryPath.Printable(name)}\" is a whiteout: converting whiteouts for overlayfs needs root");
        }

        int dirFd = root.OpenParent(parent, name);
        if (opaque)
        {
            Xattrs.Set(Xattrs.AtPath(dirFd, ""), UserNamespaces.InInitial ? OpaqueXattr : UserOpaqueXattr, "y"u8, parent.Length == 0 ? "/" : parent);
            return true;
        }

        root.RemoveAt(dirFd, hidden, name);
        FileNodes.MknodAt(dirFd, hidden, Files.S_IFCHR, 0, name);
        FileMetadata.LchownAt(dirFd, hidden, (uint)entry.Uid, (uint)entry.Gid, name);
        return true;
    }
}
