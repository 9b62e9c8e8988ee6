namespace MyRuntime.Images.Registry;

/// <summary>Runs a registry operation again after transient failures, with exponential backoff.</summary>
public static class Retry
{
    public const int Attempts = 4;

    /// <summary>The first delay; each next one doubles (settable so that tests need not wait).</summary>
    public static TimeSpan FirstDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public static async Task<T> RunAsync<T>(Func<int, Task<T>> operation, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            string message;
            TimeSpan? retryAfter = null;
            try
            {
                return await operation(attempt).ConfigureAwait(false);
            }
            catch (TransientRegistryException e)
            {
                message = e.Message;
                retryAfter = e.RetryAfter;
            }
            catch (HttpRequestException e)
            {
                message = Describe(e);
            }
            catch (IOException e)
            {
                message = Describe(e);
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                message = "timed out";
            }

            if (attempt >= Attempts)
            {
                throw new ImagesException($"{message} (gave up after {attempt} attempts)");
            }

            var delay = FirstDelay * (1 << (attempt - 1));
            if (retryAfter is { } ra && ra > delay && ra < TimeSpan.FromSeconds(30))
            {
                delay = ra;
            }

            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
    }

    /// <summary>An exception's message with its inner causes (the socket error behind an HttpRequestException).</summary>
    public static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (!parts.Contains(x.Message))
            {
                parts.Add(x.Message);
            }
        }

        return string.Join(": ", parts);
    }
}
