using GptNas.Export.PyTorch;
using Xunit.Abstractions;

namespace GptNas.Tests;

/// <summary>The PyTorch export read back by Debian's PyTorch: the generated module loads the state dict strictly and gives TorchSharp's logits.</summary>
public class PyTorchExportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    /// <summary>For each folder: the two lines of the module's docstring, then the logits of the batch in input.bin.</summary>
    private const string Script = """
        import importlib.util, sys
        import numpy as np, torch
        for folder in sys.argv[1:]:
            spec = importlib.util.spec_from_file_location("gptnas_model_" + str(abs(hash(folder))), folder + "/gptnas_model.py")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            net = module.load()
            shape = [int(d) for d in open(folder + "/shape.txt").read().split()]
            pixels = torch.from_numpy(np.fromfile(folder + "/input.bin", dtype=np.float32).reshape(shape))
            with torch.no_grad():
                logits = net(module.normalize(pixels))
            logits.numpy().astype(np.float32).tofile(folder + "/logits.bin")
        """;

    [PythonTorchFact]
    public void PyTorch_loads_the_export_and_gives_TorchSharps_logits()
    {
        var root = Directory.CreateTempSubdirectory("gptnas-pytorch-export-").FullName;
        try
        {
            var expected = new Dictionary<string, float[]>();
            foreach (var name in ExportCases.Names)
            {
                using var network = ExportCases.Build(name);
                var input = ExportCases.Input(network.Architecture);
                using var pixels = ExportCases.Pixels(input);
                var folder = Path.Combine(root, name.Replace(':', '-'));
                PyTorchExporter.Export(network, input, folder);
                File.WriteAllBytes(Path.Combine(folder, "input.bin"), pixels.bytes.ToArray());
                File.WriteAllText(Path.Combine(folder, "shape.txt"), string.Join(' ', pixels.shape));
                expected[folder] = ExportCases.Logits(network, input, pixels);
            }
            var (code, text) = Python.Run(Script, [.. expected.Keys]);
            Assert.True(code == 0, text);
            foreach (var (folder, logits) in expected)
            {
                var actual = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(folder, "logits.bin"))).ToArray();
                var difference = ExportCases.MaxAbsDifference(logits, actual);
                output.WriteLine($"{Path.GetFileName(folder)}: max |logit difference| {difference:E2}");
                Assert.True(difference < Tolerance, $"{folder}: PyTorch differs from TorchSharp by {difference:E2}");
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
