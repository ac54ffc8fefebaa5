using GptNas.Export.Onnx;
using GptNas.Export.PyTorch;

namespace GptNas.Runs;

/// <summary>The formats <c>gptnas export</c> writes.</summary>
public enum ExportFormat { Onnx, PyTorch }

/// <summary><c>gptnas export</c>: a trained model as an ONNX file or as a PyTorch state dict with its Python module.</summary>
public static class ExportRun
{
    public static ExportFormat ParseFormat(string text) => text.ToLowerInvariant() switch
    {
        "onnx" => ExportFormat.Onnx,
        "pytorch" or "torch" => ExportFormat.PyTorch,
        _ => throw new GptNasException($"unknown export format '{text}'; use onnx or pytorch"),
    };

    /// <summary>Writes the export and returns where: <paramref name="output"/>, else the model folder's <c>model.onnx</c> or <c>pytorch/</c>.</summary>
    public static string Export(LoadedModel model, ExportFormat format, string? output = null)
    {
        switch (format)
        {
            case ExportFormat.Onnx:
                var file = output ?? model.Folder.OnnxFile;
                OnnxExporter.Export(model.Network, model.Input, file);
                return file;
            default:
                var folder = output ?? model.Folder.PyTorchFolder;
                PyTorchExporter.Export(model.Network, model.Input, folder);
                return folder;
        }
    }
}
