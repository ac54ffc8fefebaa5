using static TorchSharp.torch;

namespace GptNas.Bench;

/// <summary>
/// float32 3x3 convolutions against float64, NCHW and channels-last, over input channel counts: the check behind
/// <c>TorchRuntime</c>'s oneDNN cap. <c>--case conv-check</c>; run it under <c>ONEDNN_MAX_CPU_ISA=...</c> (or
/// <c>GPTNAS_NATIVE_ONEDNN=1</c>) to see which of oneDNN's instruction sets computes them right on this CPU.
/// </summary>
internal static class ConvCheck
{
    public static int Run(Options options)
    {
        TorchRuntime.SetThreads(options.Int("threads", 2));
        Console.WriteLine($"oneDNN: {TorchRuntime.OneDnnIsa}");
        Console.WriteLine("| input channels | output channels | size | NCHW max error | channels-last max error |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
        var worst = 0.0;
        foreach (var inputs in new[] { 3, 8, 12, 16, 20, 24, 32, 40, 48, 56, 64, 72, 96, 120, 128 })
        foreach (var outputs in new[] { 24, 64 })
        foreach (var size in new[] { 16, 32 })
        {
            using var scope = NewDisposeScope();
            var generator = new Generator((ulong)(1000 * inputs + outputs + size));
            var x = randn([8, inputs, size, size], generator: generator);
            var w = randn([outputs, inputs, 3, 3], generator: generator) / Math.Sqrt(9 * inputs);
            var exact = nn.functional.conv2d(x.to(float64), w.to(float64), padding: [1, 1]);
            double Error(Tensor a, Tensor b) => (nn.functional.conv2d(a, b, padding: [1, 1]).to(float64) - exact).abs().max().nan_to_num(1e9).item<double>();
            var nchw = Enumerable.Range(0, 3).Max(_ => Error(x, w)); // the wrong values change from run to run
            var last = Enumerable.Range(0, 3).Max(_ => Error(ChannelsLast(x), ChannelsLast(w)));
            worst = Math.Max(worst, Math.Max(nchw, last));
            Console.WriteLine($"| {inputs} | {outputs} | {size} | {nchw:G3} | {last:G3} |");
        }
        Console.WriteLine($"worst: {worst:G3} ({(worst < 1e-3 ? "right" : "WRONG")}: float32 rounding is about 1e-5 here)");
        return worst < 1e-3 ? 0 : 1;
    }

    /// <summary>The same values laid out NHWC, as the trainer lays out batches and weights.</summary>
    private static Tensor ChannelsLast(Tensor t) => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
