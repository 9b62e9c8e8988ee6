namespace MyRuntime.Images.Registry;

/// <summary>A failure worth trying again (5xx, 429, a dropped connection, a timeout); after the last attempt it
/// becomes an <see cref="ImagesException"/> with the same message.</summary>
public sealed class TransientRegistryException : Exception
{
    public TransientRegistryException(string message, TimeSpan? retryAfter = null)
        : base(message)
    {
        RetryAfter = retryAfter;
    }

    public TimeSpan? RetryAfter { get; }
}
