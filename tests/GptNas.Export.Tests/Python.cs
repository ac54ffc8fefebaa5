using System.Diagnostics;

namespace GptNas.Tests;

/// <summary>Debian's <c>/usr/bin/python3</c> with the modules a test needs (CI installs python3-torch and python3-onnx).</summary>
public static class Python
{
    public const string Executable = "/usr/bin/python3";

    public static readonly bool HasTorch = Has("torch");
    public static readonly bool HasOnnx = Has("onnx");

    private static bool Has(string module)
    {
        try { return Run($"import {module}").ExitCode == 0; }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>Runs a script given on stdin with <paramref name="arguments"/>; returns exit code and stdout + stderr.</summary>
    public static (int ExitCode, string Output) Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}

/// <summary>A fact that runs only where Debian's Python has torch.</summary>
public sealed class PythonTorchFactAttribute : FactAttribute
{
    public PythonTorchFactAttribute()
    {
        if (!Python.HasTorch) Skip = $"{Python.Executable} with torch is not installed (apt-get install python3-torch)";
    }
}
