using System.CommandLine;
using MyRuntime.Linux;
using MyRuntime.Runtime;

namespace MyRuntime.Cli;

/// <summary>Runs a command's action: turns every error into one line on stderr (and the --log) and exit 1.</summary>
public static class CliRunner
{
    public static int Run(GlobalOptions g, ParseResult r, Func<RuntimeContext, int> action)
    {
        var ctx = g.ContextOf(r);
        try
        {
            return action(ctx);
        }
        catch (Exception e) when (e is RuntimeException or MyRuntime.Images.ImagesException or LinuxException or IOException or UnauthorizedAccessException)
        {
            ((CliLog)ctx.Log).Error(e.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }
}
