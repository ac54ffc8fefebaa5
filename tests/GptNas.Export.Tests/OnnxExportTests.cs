using GptNas.Export.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GptNas.Tests;

/// <summary>The ONNX export against TorchSharp on the same batch, run by ONNX Runtime and checked by the onnx checker.</summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    /// <summary>The largest difference of logits allowed between TorchSharp and ONNX Runtime.</summary>
    private const double Tolerance = 1e-4;

    [Theory]
    [MemberData(nameof(ExportCases.All), MemberType = typeof(ExportCases))]
    public void Onnx_Runtime_gives_TorchSharps_logits(string name)
    {
        using var network = ExportCases.Build(name);
        var input = ExportCases.Input(network.Architecture);
        using var pixels = ExportCases.Pixels(input);
        var expected = ExportCases.Logits(network, input, pixels);

        var model = OnnxExporter.Build(network, input);
        using var session = new InferenceSession(model.ToByteArray());
        var actual = Run(session, pixels);
        var difference = ExportCases.MaxAbsDifference(expected, actual);
        output.WriteLine($"{name}: max |logit difference| {difference:E2}, max |logit| {expected.Max(Math.Abs):F3}");
        Assert.True(difference < Tolerance, $"{name}: ONNX Runtime differs from TorchSharp by {difference:E2}");
        Assert.Equal("", Check(model.ToByteArray()));
    }

    [Fact]
    public void The_batch_dimension_is_dynamic_and_the_metadata_names_classes_and_input()
    {
        using var network = ExportCases.Build("kind:BasicBlock");
        var input = ExportCases.Input(network.Architecture);
        using var session = new InferenceSession(OnnxExporter.Build(network, input).ToByteArray());
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("[\"class 0\",\"class 1\",\"class 2\",\"class 3\",\"class 4\"]", metadata["gptnas.classes"]);
        Assert.Equal("[3,16,16]", metadata["gptnas.input_shape"]);
        Assert.Equal(-1, session.InputMetadata[OnnxExporter.InputName].Dimensions[0]);
        foreach (var batch in new[] { 1, 5 })
        {
            using var pixels = rand([batch, 3, 16, 16]);
            var expected = ExportCases.Logits(network, input, pixels);
            Assert.True(ExportCases.MaxAbsDifference(expected, Run(session, pixels)) < Tolerance);
        }
    }

    public static float[] Run(InferenceSession session, TorchSharp.torch.Tensor pixels)
    {
        var shape = pixels.shape.Select(d => (int)d).ToArray();
        var tensor = new DenseTensor<float>(pixels.data<float>().ToArray(), shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, tensor)]);
        return results.Single(r => r.Name == OnnxExporter.OutputName).AsTensor<float>().ToArray();
    }

    /// <summary>The onnx checker's complaint (empty when the model passes), or empty where Python has no onnx.</summary>
    private static string Check(byte[] model)
    {
        if (!Python.HasOnnx) return "";
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, model);
            var (code, text) = Python.Run("import sys, onnx\nonnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)\n", file);
            return code == 0 ? "" : text.Trim();
        }
        finally { File.Delete(file); }
    }
}
