using System.Diagnostics;

namespace MaintenanceActors.Testing;

/// <summary>Where the samples' builds are, and how a spec starts one as a real process.</summary>
public static class SampleBinaries
{
    /// <summary>
    /// The sample's dll, built with the test's configuration: the test assembly lives in tests/&lt;project&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/,
    /// the sample in samples/&lt;sample&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/. Throws, naming the path, when the sample was not built.
    /// </summary>
    public static string Dll(string sample)
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = bin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MaintenanceActors.sln")))
        {
            root = root.Parent;
        }
        if (root is null)
        {
            throw new InvalidOperationException($"No MaintenanceActors.sln above {bin.FullName}: the sample {sample} cannot be found.");
        }
        var dll = Path.Combine(root.FullName, "samples", sample, "bin", bin.Parent!.Name, bin.Name, sample + ".dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The test project builds {sample} first, but {dll} is missing.");
    }

    /// <summary>How to run the sample with <c>dotnet</c>, output redirected, with these environment variables on top of the test's.</summary>
    public static ProcessStartInfo StartInfo(string sample, IEnumerable<(string Name, string Value)> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll(sample));
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return start;
    }

    /// <summary>Starts the sample on a free port (<c>PORT</c>) unless <paramref name="environment"/> sets one.</summary>
    public static Process Start(string sample, params (string Name, string Value)[] environment) =>
        Process.Start(StartInfo(sample, [("PORT", FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture)), .. environment]))!;
}
