using GptNas.Data;
using GptNas.Export.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace GptNas.Runs;

/// <summary>One image's top-k classes with their probabilities; <see cref="Truth"/> is the class its folder names, if any.</summary>
public sealed record ImagePrediction(string File, IReadOnlyList<(string Label, double Probability)> Top, string? Note, string? Truth);

/// <summary>
/// <c>gptnas predict</c>: image files through a trained model, decoded, resized and normalized as training was, run
/// by TorchSharp or, with an ONNX file, by ONNX Runtime.
/// </summary>
public static class PredictRun
{
    private const int BatchSize = 64;

    /// <param name="onnxFile">Run this exported ONNX model instead of the TorchSharp network.</param>
    public static IReadOnlyList<ImagePrediction> Predict(LoadedModel model, IReadOnlyList<string> files, int k, string? onnxFile = null)
    {
        var input = model.Input;
        var classes = input.ClassNames;
        k = Math.Clamp(k, 1, classes.Length);
        using var session = onnxFile is null ? null : OpenOnnx(onnxFile);
        var results = new List<ImagePrediction>(files.Count);
        var size = input.Channels * input.Height * input.Width;
        foreach (var chunk in files.Chunk(BatchSize))
        {
            var pixels = new float[chunk.Length * size];
            var notes = new string?[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                var (bytes, note) = ImageFiles.Decode(chunk[i], input.Channels, input.Height, input.Width);
                notes[i] = note;
                for (var j = 0; j < size; j++) pixels[i * size + j] = bytes[j] / 255f;
            }
            var probabilities = session is null ? RunTorch(model, pixels, chunk.Length) : RunOnnx(session, pixels, chunk.Length, input);
            for (var i = 0; i < chunk.Length; i++)
            {
                var row = probabilities.AsSpan(i * classes.Length, classes.Length).ToArray();
                var top = Enumerable.Range(0, classes.Length).OrderByDescending(c => row[c]).ThenBy(c => c).Take(k)
                    .Select(c => (classes[c], (double)row[c])).ToArray();
                results.Add(new ImagePrediction(chunk[i], top, notes[i], Truth(chunk[i], classes)));
            }
        }
        return results;
    }

    /// <summary>The class the image's folder names: a class name, or a class index (names such as "T-shirt/top" cannot be folders).</summary>
    private static string? Truth(string file, string[] classes)
    {
        var folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file))) ?? "";
        if (classes.Contains(folder)) return folder;
        return int.TryParse(folder, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < classes.Length
            ? classes[index] : null;
    }

    /// <summary>Top-1 accuracy over the images whose folder names their class, or null when none does.</summary>
    public static (double Top1, int Images)? LabelledAccuracy(IReadOnlyList<ImagePrediction> predictions)
    {
        var labelled = predictions.Where(p => p.Truth is not null).ToList();
        return labelled.Count == 0 ? null : ((double)labelled.Count(p => p.Top[0].Label == p.Truth) / labelled.Count, labelled.Count);
    }

    private static float[] RunTorch(LoadedModel model, float[] pixels, int n)
    {
        var input = model.Input;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var x = torch.tensor(pixels, [n, input.Channels, input.Height, input.Width]);
        var mean = torch.tensor(input.Mean).view(1, -1, 1, 1);
        var std = torch.tensor(input.Std).view(1, -1, 1, 1);
        return model.Network.call((x - mean) / std).softmax(1).data<float>().ToArray();
    }

    private static float[] RunOnnx(InferenceSession session, float[] pixels, int n, Training.ModelInput input)
    {
        var tensor = new DenseTensor<float>(pixels, [n, input.Channels, input.Height, input.Width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, tensor)]);
        using var logits = torch.tensor(results.Single().AsTensor<float>().ToArray(), [n, input.ClassNames.Length]);
        using var probabilities = logits.softmax(1);
        return probabilities.data<float>().ToArray();
    }

    private static InferenceSession OpenOnnx(string file)
    {
        if (!System.IO.File.Exists(file)) throw new GptNasException($"ONNX file '{file}' does not exist; write it with gptnas export --format onnx");
        try { return new InferenceSession(file); }
        catch (OnnxRuntimeException e) { throw new GptNasException($"'{file}' is not a model ONNX Runtime can load: {e.Message.Split('\n')[0]}", e); }
    }
}
