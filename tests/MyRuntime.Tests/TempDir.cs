namespace MyRuntime.Tests;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("myruntime-tests-").FullName;
    }

    public string Path { get; }

    /// <summary>The absolute path of a name inside the directory.</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Makes a directory (and its parents) inside this one and returns its path.</summary>
    public string Dir(string relative) => Directory.CreateDirectory(this[relative]).FullName;

    /// <summary>Writes a file inside this one (parents made as needed) and returns its path.</summary>
    public string File(string relative, string content = "")
    {
        string path = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Makes a symbolic link at <paramref name="relative"/> whose target is exactly <paramref name="target"/>.</summary>
    public string Symlink(string relative, string target)
    {
        string path = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
