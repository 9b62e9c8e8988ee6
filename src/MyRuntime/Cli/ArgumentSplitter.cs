using System.CommandLine;

namespace MyRuntime.Cli;

/// <summary>runc stops reading flags at a command's first positional argument, so that in
/// `exec ID sh -c 'echo'` the "-c" belongs to sh. This inserts "--" after the first positional argument of the
/// commands that take a trailing command line.</summary>
public static class ArgumentSplitter
{
    public static string[] Split(RootCommand root, string[] args) => Split(root, args, new HashSet<string> { "exec", "ps" });

    /// <param name="root">The root command.</param>
    /// <param name="args">The command line.</param>
    /// <param name="trailing">The commands whose arguments after the first positional one are a command line.</param>
    public static string[] Split(RootCommand root, string[] args, IReadOnlySet<string> trailing)
    {
        int i = 0;
        Command current = root;
        while (i < args.Length)
        {
            string a = args[i];
            if (a == "--")
            {
                return args;
            }

            if (a.StartsWith('-') && a.Length > 1)
            {
                i += TakesValue(current, root, a) ? 2 : 1;
                continue;
            }

            var sub = current.Subcommands.FirstOrDefault(c => c.Name == a || c.Aliases.Contains(a));
            if (sub is not null && current == root)
            {
                current = sub;
                i++;
                continue;
            }

            if (trailing.Contains(current.Name))
            {
                bool separated = i + 1 < args.Length && args[i + 1] == "--";
                return separated ? args : [.. args[..(i + 1)], "--", .. args[(i + 1)..]];
            }

            return args;
        }

        return args;
    }

    private static bool TakesValue(Command command, Command root, string token)
    {
        if (token.Contains('='))
        {
            return false;
        }

        var option = Find(command, token) ?? Find(root, token);
        return option is not null && option.ValueType != typeof(bool);
    }

    private static Option? Find(Command command, string token) =>
        command.Options.FirstOrDefault(o => o.Name == token || o.Aliases.Contains(token));
}
