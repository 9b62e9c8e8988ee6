namespace MyRuntime.Images;

/// <summary>An error of the images layer (references, registries, the store, unpacking, snapshots), worded for the
/// user: one line saying what failed and why.</summary>
public sealed class ImagesException : Exception
{
    public ImagesException(string message)
        : base(message)
    {
    }

    public ImagesException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
