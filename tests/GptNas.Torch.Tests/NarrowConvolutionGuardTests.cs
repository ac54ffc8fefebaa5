using GptNas.Training;
using static TorchSharp.torch;

namespace GptNas.Tests;

/// <summary>Convolutions with few input channels inside a network train on the right input gradient.</summary>
public class NarrowConvolutionGuardTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void ANarrowConvolutionInsideANetworkGetsTheExactInputGradient(int narrow)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        // A bottleneck `narrow` channels wide, as an Inception branch reduced to 1 channel or a 4-wide bottleneck has:
        // the inputs of its 3x3 convolution and of the one after it need gradients.
        var model = nn.Sequential(nn.Conv2d(16, narrow, 1), nn.Conv2d(narrow, narrow, 3, padding: 1), nn.Conv2d(narrow, 8, 3, padding: 1), nn.Conv2d(8, 8, 3, padding: 1));
        var x = randn([8, 16, 12, 12], generator: generator).requires_grad_();
        var upstream = randn([8, 8, 12, 12], generator: generator);

        using (var guard = new NarrowConvolutionGuard(model))
        {
            Assert.Equal(2, guard.Guarded); // the 8-channel and 16-channel ones are left to oneDNN
            (model.call(x) * upstream).sum().backward();
        }

        var exact = x.detach().to(float64).requires_grad_();
        var y = exact;
        foreach (var conv in model.modules().OfType<TorchSharp.Modules.Conv2d>())
            y = nn.functional.conv2d(y, conv.weight!.to(float64), conv.bias!.to(float64), padding: conv.padding);
        (y * upstream.to(float64)).sum().backward();
        var error = (x.grad!.to(float64) - exact.grad!).abs().max().item<double>() / exact.grad!.abs().max().item<double>();
        Assert.True(error < 1e-4, $"input gradient off by {error:P2} of its size");
    }

    [Fact]
    public void TheGuardLeavesEvaluationAndTheFirstLayerToOneDnnAndUnhooksAfterTheFit()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(2, 4, 3, padding: 1);
        var image = randn([2, 2, 6, 6]); // needs no gradient, like a batch of images
        Tensor? seen = null;
        using (var guard = new NarrowConvolutionGuard(conv))
        {
            Assert.Equal(1, guard.Guarded);
            seen = conv.call(image);
            Assert.Equal(ScalarType.Float32, seen.dtype);
        }
        Assert.Equal(conv.forward(image).data<float>().ToArray(), seen.data<float>().ToArray()); // the float32 output, not recomputed
    }
}
