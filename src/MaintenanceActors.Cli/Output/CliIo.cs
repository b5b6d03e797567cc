using Spectre.Console;

namespace MaintenanceActors.Cli.Output;

/// <summary>Where a maintctl run writes and what it reads from its environment: the real console in the tool, strings in tests.</summary>
internal sealed class CliIo
{
    public CliIo(TextWriter output, TextWriter error, Func<string, string?> environment, bool interactive, TimeProvider? time = null)
    {
        Output = output;
        Error = error;
        Environment = environment;
        Interactive = interactive;
        Time = time ?? TimeProvider.System;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!interactive)
        {
            // Redirected output is read by scripts and tests: wide enough that tables never wrap a cell.
            Console.Profile.Width = 200;
        }
    }

    /// <summary>Plain output (JSON, lines); tables go through <see cref="Console"/>, which writes to the same place.</summary>
    public TextWriter Output { get; }

    /// <summary>Errors and notes: one line each.</summary>
    public TextWriter Error { get; }

    public IAnsiConsole Console { get; }

    public Func<string, string?> Environment { get; }

    /// <summary>True on a terminal: watch draws a live table; otherwise it prints a line per change.</summary>
    public bool Interactive { get; }

    public TimeProvider Time { get; }

    /// <summary>The process's own console and environment.</summary>
    public static CliIo System() =>
        new(global::System.Console.Out, global::System.Console.Error, global::System.Environment.GetEnvironmentVariable,
            !global::System.Console.IsOutputRedirected);
}
