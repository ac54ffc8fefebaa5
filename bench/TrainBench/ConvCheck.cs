using static TorchSharp.torch;

namespace GptNas.Bench;

/// <summary>
/// float32 convolutions against float64, with input and weights both NCHW and both channels-last, over the shapes the
/// block space makes (kernel 1/3/5/7, stride 1/2, grouped (RegNet's 16 channels a group among them) and depthwise, input channel counts from 1 to 400): the check
/// behind <c>TorchRuntime</c>'s handling of oneDNN. <c>--case conv-check [--all]</c> prints the wrong cases (every case
/// with <c>--all</c>); run it under <c>ONEDNN_MAX_CPU_ISA=...</c> or <c>GPTNAS_NATIVE_ONEDNN=1</c> to compare instruction sets.
/// </summary>
internal static class ConvCheck
{
    /// <summary>float32 rounding on these sums is about 1e-5; the wrong kernels are off by 0.1 to 10 or NaN.</summary>
    private const double Tolerance = 1e-3;

    public static int Run(Options options)
    {
        TorchRuntime.SetThreads(options.Int("threads", 2));
        var all = options.Has("all");
        Console.WriteLine($"oneDNN: {TorchRuntime.OneDnnIsa}");
        Console.WriteLine("| input channels | output channels | groups | kernel | stride | size | NCHW max error | channels-last max error | NCHW input, channels-last weights |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        int cases = 0, wrongNchw = 0, wrongLast = 0, wrongMixed = 0;
        foreach (var inputs in new[] { 1, 3, 8, 16, 20, 24, 32, 40, 48, 56, 64, 72, 96, 120, 128, 160, 400 })
        foreach (var (outputs, groups) in new[] { (24, 1), (64, 1), (inputs, inputs), (2 * inputs, inputs % 4 == 0 ? 4 : 1), (inputs, inputs % 16 == 0 ? inputs / 16 : 1) }.Distinct())
        foreach (var kernel in new[] { 1, 3, 5, 7 })
        foreach (var stride in new[] { 1, 2 })
        foreach (var size in new[] { 8, 32 })
        {
            using var scope = NewDisposeScope();
            var generator = new Generator((ulong)cases + 1);
            var x = randn([8, inputs, size, size], generator: generator);
            var w = randn([outputs, inputs / groups, kernel, kernel], generator: generator) / Math.Sqrt(kernel * kernel * inputs / groups);
            var padding = kernel / 2;
            var exact = nn.functional.conv2d(x.to(float64), w.to(float64), strides: [stride, stride], padding: [padding, padding], groups: groups);
            double Error(Tensor a, Tensor b) => (nn.functional.conv2d(a, b, strides: [stride, stride], padding: [padding, padding], groups: groups).to(float64) - exact)
                .abs().max().nan_to_num(1e9).item<double>();
            var nchw = Enumerable.Range(0, 3).Max(_ => Error(x, w)); // the wrong values change from run to run
            var last = Enumerable.Range(0, 3).Max(_ => Error(ChannelsLast(x), ChannelsLast(w)));
            var mixed = Enumerable.Range(0, 3).Max(_ => Error(x, ChannelsLast(w))); // a one-channel batch is both layouts at once
            cases++;
            if (nchw > Tolerance) wrongNchw++;
            if (last > Tolerance) wrongLast++;
            if (mixed > Tolerance) wrongMixed++;
            if (all || nchw > Tolerance || last > Tolerance || mixed > Tolerance)
                Console.WriteLine($"| {inputs} | {outputs} | {groups} | {kernel} | {stride} | {size} | {nchw:G3} | {last:G3} | {mixed:G3} |");
        }
        Console.WriteLine($"{cases} shapes: NCHW wrong in {wrongNchw}, channels-last in {wrongLast}, NCHW input with channels-last weights in {wrongMixed} " +
                          $"(error above {Tolerance:G1})");
        return wrongLast + wrongMixed == 0 ? 0 : 1;
    }

    /// <summary>The same values laid out NHWC, as the trainer lays out batches and weights.</summary>
    private static Tensor ChannelsLast(Tensor t) => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
