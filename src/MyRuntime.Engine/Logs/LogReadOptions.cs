namespace MyRuntime.Engine.Logs;

/// <summary>What <c>logs</c> prints: <see cref="Tail"/> keeps the last N entries of all files (null or negative:
/// all), <see cref="Since"/> and <see cref="Until"/> keep entries stamped in [Since, Until] (applied after the
/// tail, as in Docker), <see cref="Timestamps"/> starts each line with its time and a space, <see cref="Follow"/>
/// keeps printing what is written afterwards.</summary>
public sealed record LogReadOptions
{
    public int? Tail { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    public bool Timestamps { get; init; }

    public bool Follow { get; init; }
}
