namespace MyRuntime.Engine.Logs;

/// <summary>The files of one container log: path.N ... path.1 (rotated, oldest first) and path itself.</summary>
internal static class LogFiles
{
    /// <summary>The existing files, oldest first: path.1, path.2, ... as long as they exist, reversed, then path.</summary>
    public static List<string> List(string path)
    {
        var files = new List<string>();
        for (int i = 1; File.Exists($"{path}.{i}"); i++)
        {
            files.Add($"{path}.{i}");
        }

        files.Reverse();
        if (File.Exists(path))
        {
            files.Add(path);
        }

        return files;
    }

    /// <summary>Where the last <paramref name="lines"/> complete lines of the files begin: a file index and an
    /// offset in it. Reads backwards from the end in blocks, so a large log costs only what is printed. A last
    /// line without its newline is not counted.</summary>
    public static (int File, long Offset) TailStart(IReadOnlyList<string> files, int lines)
    {
        byte[] block = new byte[64 * 1024];
        int need = lines;
        for (int f = files.Count - 1; f >= 0; f--)
        {
            int found = 0;
            try
            {
                using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(files[f]);
                long position = RandomAccess.GetLength(handle);
                while (position > 0)
                {
                    int n = (int)Math.Min(block.Length, position);
                    position -= n;
                    n = RandomAccess.Read(handle, block.AsSpan(0, n), position);
                    for (int k = n - 1; k >= 0; k--)
                    {
                        // The first newline from the end closes the last line; the (need+1)-th closes the line
                        // before the first one to print.
                        if (block[k] == '\n' && ++found == need + 1)
                        {
                            return (f, position + k + 1);
                        }
                    }
                }
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new EngineException($"cannot read log file {files[f]}: {e.Message}", e);
            }

            if (found == need)
            {
                return (f, 0);
            }

            need -= found;
        }

        return (0, 0);
    }
}
