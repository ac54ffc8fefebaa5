using System.Globalization;
using System.Text.Json;
using GptNas.Networks;
using GptNas.Training;
using TorchSharp;
using TorchSharp.PyBridge;

namespace GptNas.Export.PyTorch;

/// <summary>
/// A trained <see cref="Network"/> for PyTorch: <c>model.pt</c>, a state dict <c>torch.load</c> reads (written by
/// TorchSharp.PyBridge), and <c>gptnas_model.py</c>, a self-contained module that builds the same network in plain
/// <c>torch.nn</c> with the same parameter names (its block classes mirror <c>Networks/</c>, one per block family).
/// </summary>
public static class PyTorchExporter
{
    public const string ModuleFile = "gptnas_model.py";
    public const string WeightsFile = "model.pt";

    /// <summary>Writes both files into <paramref name="folder"/> (created if missing), each atomically.</summary>
    public static void Export(Network network, ModelInput input, string folder)
    {
        try { Directory.CreateDirectory(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GptNasException($"cannot write '{folder}': {e.Message}", e);
        }
        ExportFiles.WriteAtomically(Path.Combine(folder, WeightsFile), temporary =>
        {
            using var stream = File.Create(temporary);
            PyTorchPickler.PickleStateDict(stream, StateDict(network));
        });
        ExportFiles.WriteAtomically(Path.Combine(folder, ModuleFile), temporary => File.WriteAllText(temporary, Module(network, input)));
    }

    /// <summary>
    /// The network's state dict under the names the Python module gives its parameters: each tensor once, under
    /// its first name (TorchSharp also lists ConvNormActivation's layers under the field that holds them).
    /// </summary>
    public static Dictionary<string, torch.Tensor> StateDict(Network network)
    {
        var seen = new HashSet<IntPtr>();
        var result = new Dictionary<string, torch.Tensor>();
        foreach (var (name, tensor) in network.state_dict())
            if (seen.Add(tensor.Handle)) result[name] = tensor;
        return result;
    }

    /// <summary>The Python module's text: the shipped template with this network's architecture, classes and normalization.</summary>
    public static string Module(Network network, ModelInput input)
    {
        using var stream = typeof(PyTorchExporter).Assembly.GetManifestResourceStream("gptnas_network.py")
                           ?? throw new InvalidOperationException("the Python template is not embedded");
        var template = new StreamReader(stream).ReadToEnd();
        return template
            .Replace("{{ARCHITECTURE}}", network.Architecture.Canonical.TrimEnd() + "\n")
            .Replace("{{CLASSES}}", JsonSerializer.Serialize(input.ClassNames))
            .Replace("{{MEAN}}", Floats(input.Mean))
            .Replace("{{STD}}", Floats(input.Std));
    }

    private static string Floats(float[] values) => "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
}
