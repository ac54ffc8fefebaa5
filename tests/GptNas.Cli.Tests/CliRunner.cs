using GptNas.Cli;
using Spectre.Console;

namespace GptNas.Tests;

/// <summary>Runs the gptnas command line in-process and captures what it writes to stderr and stdout.</summary>
internal static class CliRunner
{
    private static readonly Lock ConsoleLock = new();

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            var (oldOut, oldError) = (Console.Out, Console.Error);
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var oldAnsi = AnsiConsole.Console;
            Console.SetOut(stdout);
            Console.SetError(stderr);
            // Spectre keeps the writer it was created with; give it this run's.
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
            try { return (GptNasCli.Run(args), stdout.ToString(), stderr.ToString()); }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldError);
                AnsiConsole.Console = oldAnsi;
            }
        }
    }
}

/// <summary>What every refusal looks like: exit code 2 and one line on stderr, no stack trace.</summary>
internal static class CliAssert
{
    /// <summary>Runs <paramref name="args"/> and checks the refusal contains each of <paramref name="expected"/>; returns the line.</summary>
    public static string OneLineError(string[] args, params string[] expected)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", stderr); // a stack frame
        Assert.DoesNotContain("Exception", lines[0]);
        foreach (var text in expected) Assert.Contains(text, lines[0]);
        return lines[0];
    }
}

/// <summary>A temporary folder removed when disposed.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("gptnas-test-").FullName;
    public string File(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }
    public string File(string name, byte[] bytes)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }
    public void Dispose() => Directory.Delete(Path, recursive: true);
}
