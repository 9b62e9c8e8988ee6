namespace MyRuntime.Network;

/// <summary>A network operation that failed, with a one-line message for the user.</summary>
public sealed class NetworkException(string message, Exception? inner = null) : Exception(message, inner);
