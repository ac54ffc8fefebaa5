using GptNas.Networks;
using GptNas.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Tests;

/// <summary>
/// The BatchNorm and SGD that hold their Scalars until libtorch has read them compute exactly what TorchSharp's own
/// compute, so networks, checkpoints and every earlier result stay the same.
/// </summary>
public class ScalarLifetimeTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.allclose(b, rtol: 0, atol: 0);

    [Theory]
    [InlineData(0.1)]
    [InlineData(null)]
    public void Safe_batch_norm_computes_what_TorchSharps_batch_norm_computes(double? momentum)
    {
        using var generator = new Generator(5);
        using var reference = nn.BatchNorm2d(6);
        using var safe = new SafeBatchNorm2d(6);
        reference.momentum = safe.momentum = momentum;
        using (no_grad())
        {
            reference.weight!.uniform_(0.5, 1.5, generator);
            reference.bias!.uniform_(-0.5, 0.5, generator);
            safe.weight!.copy_(reference.weight);
            safe.bias!.copy_(reference.bias);
        }
        Assert.Equal(reference.state_dict().Keys, safe.state_dict().Keys);
        for (var step = 0; step < 3; step++)
        {
            using var x = randn([4, 6, 5, 5], generator: generator) * 2 + 1;
            using var expected = reference.forward(x);
            using var actual = safe.forward(x);
            Assert.True(Same(expected, actual));
        }
        Assert.Equal(3, safe.num_batches_tracked!.item<long>());
        Assert.Equal(reference.num_batches_tracked!.item<long>(), safe.num_batches_tracked.item<long>());
        Assert.True(Same(reference.running_mean!, safe.running_mean!));
        Assert.True(Same(reference.running_var!, safe.running_var!));

        reference.eval();
        safe.eval();
        using var test = randn([2, 6, 5, 5], generator: generator);
        using var inference = reference.forward(test);
        using var safeInference = safe.forward(test);
        Assert.True(Same(inference, safeInference));
        Assert.Equal(3, safe.num_batches_tracked.item<long>());
    }

    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.9, 5e-4, false)]
    [InlineData(0.9, 5e-4, true)]
    public void Safe_sgd_takes_the_steps_TorchSharps_sgd_takes(double momentum, double weightDecay, bool nesterov)
    {
        using var generator = new Generator(11);
        using var referenceModel = nn.Linear(7, 3);
        using var safeModel = nn.Linear(7, 3);
        using (no_grad())
            foreach (var (from, to) in referenceModel.parameters().Zip(safeModel.parameters())) to.copy_(from);
        using var reference = optim.SGD(referenceModel.parameters(), 0.1, momentum, weight_decay: weightDecay, nesterov: nesterov);
        using var safe = new SafeSgd(safeModel.parameters(), 0.1, momentum, weightDecay, nesterov);
        for (var step = 0; step < 4; step++)
        {
            using var x = randn([16, 7], generator: generator);
            using var y = randn([16, 3], generator: generator);
            var rate = 0.1 / (step + 1);
            foreach (var (model, optimizer) in new (nn.Module<Tensor, Tensor>, optim.Optimizer)[] { (referenceModel, reference), (safeModel, safe) })
            {
                using var _ = NewDisposeScope();
                foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
                optimizer.zero_grad();
                nn.functional.mse_loss(model.forward(x), y).backward();
                optimizer.step();
            }
        }
        foreach (var (expected, actual) in referenceModel.parameters().Zip(safeModel.parameters()))
            Assert.True(Same(expected, actual));
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.1)]
    [InlineData(true, 0.1)]
    public void Safe_adam_takes_the_steps_TorchSharps_adam_takes(bool decoupled, double weightDecay)
    {
        using var generator = new Generator(13);
        using var referenceModel = nn.Linear(7, 3);
        using var safeModel = nn.Linear(7, 3);
        using (no_grad())
            foreach (var (from, to) in referenceModel.parameters().Zip(safeModel.parameters())) to.copy_(from);
        using optim.Optimizer reference = decoupled ? optim.AdamW(referenceModel.parameters(), 1e-2, weight_decay: weightDecay)
            : optim.Adam(referenceModel.parameters(), 1e-2, weight_decay: weightDecay);
        using optim.Optimizer safe = decoupled ? new SafeAdam.AdamW(safeModel.parameters(), 1e-2, weightDecay) : new SafeAdam.Adam(safeModel.parameters(), 1e-2, weightDecay);
        for (var step = 0; step < 4; step++)
        {
            using var x = randn([16, 7], generator: generator);
            using var y = randn([16, 3], generator: generator);
            foreach (var (model, optimizer) in new (nn.Module<Tensor, Tensor>, optim.Optimizer)[] { (referenceModel, reference), (safeModel, safe) })
            {
                using var _ = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.mse_loss(model.forward(x), y).backward();
                optimizer.step();
            }
        }
        foreach (var (expected, actual) in referenceModel.parameters().Zip(safeModel.parameters()))
            Assert.True(Same(expected, actual));
        // The same state format, so checkpoints written before load into the safe optimizer.
        var file = Path.Combine(Path.GetTempPath(), $"gptnas-adam-{Guid.NewGuid():N}.bin");
        try
        {
            ((OptimizerHelper)reference).save_state_dict(file);
            ((OptimizerHelper)safe).load_state_dict(file);
        }
        finally { File.Delete(file); }
    }
}
