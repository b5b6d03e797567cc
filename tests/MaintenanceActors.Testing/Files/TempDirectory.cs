
namespace MaintenanceActors.Testing;

/// <summary>A fresh directory under the system temp folder, mode 700, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "ma-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        CreatePrivate(Path);
    }

    /// <summary>The directory's absolute path.</summary>
    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Creates a sub-directory with mode 700 and returns its path.</summary>
    public string CreateSubdirectory(string name)
    {
        var path = Combine(name);
        CreatePrivate(path);
        return path;
    }

    private static void CreatePrivate(string path)
    {
        // etcd refuses a data dir other users can read; mode 700 is the Unix way, Windows has no such mode.
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(path);
        else
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }
}
