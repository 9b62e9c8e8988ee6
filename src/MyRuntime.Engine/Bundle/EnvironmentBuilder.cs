namespace MyRuntime.Engine.Bundle;

/// <summary>The container's environment as Docker makes it: PATH (when the image gives none), HOSTNAME, TERM
/// with a tty, then the image's Env, the --env-file lines and -e, later ones replacing earlier ones by key.</summary>
public static class EnvironmentBuilder
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static List<string> Build(IEnumerable<string>? imageEnv, RunOptions options, string hostname, Func<string, string?> hostEnv)
    {
        var env = new List<string>();
        Set(env, DefaultPath);
        Set(env, "HOSTNAME=" + hostname);
        if (options.Tty)
        {
            Set(env, "TERM=xterm");
        }

        foreach (string e in imageEnv ?? [])
        {
            Set(env, e);
        }

        foreach (string line in options.EnvFileLines)
        {
            string trimmed = line.TrimStart();
            if (trimmed.Length > 0 && !trimmed.StartsWith('#'))
            {
                Apply(env, trimmed, "--env-file", hostEnv);
            }
        }

        foreach (string e in options.Env)
        {
            Apply(env, e, "--env", hostEnv);
        }

        return env;
    }

    private static void Apply(List<string> env, string entry, string flag, Func<string, string?> hostEnv)
    {
        int eq = entry.IndexOf('=');
        string key = eq < 0 ? entry : entry[..eq];
        if (key.Length == 0 || key.Any(char.IsWhiteSpace))
        {
            throw new EngineException($"invalid {flag} '{entry}': expected KEY=VALUE or KEY");
        }

        if (eq >= 0)
        {
            Set(env, entry);
        }
        else if (hostEnv(key) is { } value)
        {
            Set(env, key + "=" + value);
        }
    }

    private static void Set(List<string> env, string entry)
    {
        int eq = entry.IndexOf('=');
        string prefix = (eq < 0 ? entry : entry[..eq]) + "=";
        int at = env.FindIndex(e => e.StartsWith(prefix, StringComparison.Ordinal) || e == prefix[..^1]);
        if (at >= 0)
        {
            env[at] = entry;
        }
        else
        {
            env.Add(entry);
        }
    }
}
