namespace MyRuntime.Engine.Init;

/// <summary>The init's command line and the lookup of its program as execvp(3) does it.</summary>
public static class InitCommand
{
    /// <summary>glibc's search path when PATH is unset.</summary>
    public const string DefaultPath = "/bin:/usr/bin";

    /// <summary>The command after an optional leading "--"; null when none is given.</summary>
    public static IReadOnlyList<string>? Parse(IReadOnlyList<string> args)
    {
        int start = args.Count > 0 && args[0] == "--" ? 1 : 0;
        if (args.Count <= start || args[start].Length == 0)
        {
            return null;
        }

        return args.Skip(start).ToList();
    }

    /// <summary>The file to execute for program: itself when it holds a '/', else the first executable regular file
    /// named so in a directory of path (an empty entry is the current directory). Denied is set when only
    /// non-executable files of that name were found.</summary>
    public static (string? Path, bool Denied) Resolve(string program, string? path, Func<string, bool> isFile, Func<string, bool> isExecutable)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return isFile(program) && isExecutable(program) ? (program, false) : (null, isFile(program));
        }

        bool denied = false;
        foreach (string dir in (path ?? DefaultPath).Split(':'))
        {
            string candidate = dir.Length == 0 ? program : $"{dir.TrimEnd('/')}/{program}";
            if (!isFile(candidate))
            {
                continue;
            }

            if (isExecutable(candidate))
            {
                return (candidate, false);
            }

            denied = true;
        }

        return (null, denied);
    }
}
