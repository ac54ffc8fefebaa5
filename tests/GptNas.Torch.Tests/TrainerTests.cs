using GptNas.Architectures;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GptNas.Tests;

/// <summary>The training recipe's options do what they say: label smoothing, lookahead, and test-time augmentation by flip and translation.</summary>
public class TrainerTests
{
    private const int Side = 8, Classes = 4;

    /// <summary>Class c: a bright 3x3 square in quadrant c, plus noise; <paramref name="mirror"/> flips every image left-right.</summary>
    private static ImageDataset Squares(int count, int seed, bool mirror = false)
    {
        var random = new Random(seed);
        var pixels = new byte[count * Side * Side];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % Classes;
            var (top, left) = (labels[i] / 2 * 4 + random.Next(2), labels[i] % 2 * 4 + random.Next(2));
            for (var p = 0; p < Side * Side; p++) pixels[i * Side * Side + p] = (byte)random.Next(80);
            for (var y = 0; y < 3; y++)
                for (var x = 0; x < 3; x++) pixels[i * Side * Side + (top + y) * Side + left + x] = (byte)(180 + random.Next(70));
        }
        if (mirror)
            for (var i = 0; i < count; i++)
                for (var y = 0; y < Side; y++) Array.Reverse(pixels, i * Side * Side + y * Side, Side);
        return new ImageDataset(pixels, labels, ["a", "b", "c", "d"], 1, Side, Side, "squares");
    }

    private static readonly Architecture Small = Architecture.Parse($"""
        input {Side}x{Side}x1
        classes {Classes}
        stem Conv out=8 kernel=3 stride=1 padding=1 groups=1 bias=0
        stem BatchNorm
        stem ReLU
        block BasicBlock out=8 stride=1
        block BasicBlock out=16 stride=2
        head dropout=0
        """);

    private static (Network Network, TrainingResult Result) Fit(TrainingConfig config, DataSplits data)
    {
        var network = NetworkBuilder.Build(Small, new Seeds(config.Seed));
        var batches = new DataBatches(data, config);
        return (network, new Trainer(config).Fit(network, batches.Train, test: batches.Test));
    }

    private static readonly TrainingConfig Recipe = new() { Epochs = 6, BatchSize = 32, LearningRate = 0.05, WarmupEpochs = 0, CropPadding = 0, Flip = false, Seed = 1 };

    [Fact]
    public void Label_smoothing_keeps_the_training_loss_above_the_smoothed_targets_entropy()
    {
        var data = new DataSplits(Squares(256, 0), null, Squares(64, 1));
        var (plain, plainResult) = Fit(Recipe, data);
        var (smoothed, smoothedResult) = Fit(Recipe with { LabelSmoothing = 0.5 }, data);
        using (plain) using (smoothed)
        {
            // Targets 1 - 0.5 + 0.5/4 on the class and 0.5/4 elsewhere: no prediction has a cross-entropy below their entropy.
            var floor = -(0.625 * Math.Log(0.625) + 3 * 0.125 * Math.Log(0.125));
            // The same training without smoothing goes well below that floor, so the floor is the smoothing's doing.
            Assert.True(plainResult.Last.TrainLoss < floor - 0.2, $"the plain recipe did not learn the squares: loss {plainResult.Last.TrainLoss}");
            Assert.True(smoothedResult.Last.TrainLoss >= floor - 1e-3, $"smoothed loss {smoothedResult.Last.TrainLoss} below the floor {floor}");
            Assert.True(smoothedResult.Test!.Top1 > 0.5, $"smoothing stopped the network learning: {smoothedResult.Test.Top1}");
        }
    }

    [Fact]
    public void Flip_test_time_augmentation_scores_a_test_set_and_its_mirror_image_alike()
    {
        var data = new DataSplits(Squares(256, 0), null, Squares(64, 1));
        var (network, result) = Fit(Recipe with { Epochs = 2, TestTimeFlip = true }, data);
        using (network)
        {
            Assert.NotNull(result.Test!.AugmentedTop1);
            var mirrored = new DataSplits(data.Train, null, Squares(64, 1, mirror: true));
            // Scored with the training split's normalization, as the fit scored the test split.
            var trainer = new Trainer(Recipe);
            var onMirror = trainer.Evaluate(network, new DataBatches(mirrored, Recipe).Test, flip: true);
            Assert.Equal(result.Test.AugmentedTop1!.Value, onMirror.AugmentedTop1!.Value, 1e-9);
            // Without augmentation, the mirror image of a quadrant is another class: plain top-1 is not invariant.
            Assert.NotEqual(result.Test.Top1, onMirror.Top1);
            Assert.Null(trainer.Evaluate(network, new DataBatches(data, Recipe).Test).AugmentedTop1);
        }
    }

    [Fact]
    public void Translation_test_time_augmentation_weighs_the_image_half_and_each_one_pixel_shift_a_quarter()
    {
        var data = new DataSplits(Squares(256, 0), null, Squares(64, 1));
        var (network, result) = Fit(Recipe with { Epochs = 2, TestTimeTranslate = 1 }, data);
        using (network)
        {
            var test = new DataBatches(data, Recipe).Test;
            long hits = 0;
            network.eval();
            using (TorchSharp.torch.no_grad())
                foreach (var batch in test.Epoch(0))
                {
                    using var scope = TorchSharp.torch.NewDisposeScope();
                    var images = TorchSharp.torch.tensor(batch.Images.AsSpan(0, batch.Count * Side * Side).ToArray(), [batch.Count, 1, Side, Side]);
                    var padded = TorchSharp.torch.nn.functional.pad(images, [1, 1, 1, 1], TorchSharp.PaddingModes.Reflect);
                    var logits = 0.5 * network.forward(images) + 0.25 * network.forward(padded[.., .., ..Side, ..Side]) +
                                 0.25 * network.forward(padded[.., .., 2..(Side + 2), 2..(Side + 2)]);
                    var labels = TorchSharp.torch.tensor(batch.Labels.AsSpan(0, batch.Count).ToArray());
                    hits += logits.argmax(1).eq(labels).sum().item<long>();
                }
            Assert.Equal((double)hits / 64, result.Test!.AugmentedTop1!.Value, 1e-9);
            Assert.Null(new Trainer(Recipe).Evaluate(network, test).AugmentedTop1);
        }
    }

    [Fact]
    public void Lookahead_changes_the_trained_weights_and_a_fit_resumed_from_its_checkpoint_ends_as_an_uninterrupted_one()
    {
        var data = new DataSplits(Squares(256, 0), null, Squares(64, 1));
        var config = Recipe with { Epochs = 3, Lookahead = true };
        var (straight, straightResult) = Fit(config, data);
        var (plain, _) = Fit(config with { Lookahead = false }, data);
        var path = Path.Combine(Path.GetTempPath(), $"gptnas-lookahead-{Guid.NewGuid():N}.ckpt");
        try
        {
            using (straight) using (plain)
            {
                Assert.True(MaxDifference(straight, plain) > 1e-3, "lookahead did not change the trained weights");
                Assert.True(straightResult.Test!.Top1 > 0.5, $"with lookahead the network did not learn the squares: {straightResult.Test.Top1}");

                var checkpoint = new TrainingCheckpoint(path, "lookahead test");
                var batches = new DataBatches(data, config);
                using var stop = new CancellationTokenSource();
                using (var killed = NetworkBuilder.Build(Small, new Seeds(config.Seed)))
                    Assert.ThrowsAny<OperationCanceledException>(() => new Trainer(config).Fit(killed, batches.Train, test: batches.Test,
                        progress: new StopAfterEpoch(2, stop), checkpoint: checkpoint, cancellation: stop.Token));
                Assert.Equal(2, checkpoint.EpochsDone());
                using var resumed = NetworkBuilder.Build(Small, new Seeds(config.Seed));
                var resumedResult = new Trainer(config).Fit(resumed, batches.Train, test: batches.Test, checkpoint: checkpoint);
                Assert.Equal(0.0, MaxDifference(straight, resumed));
                Assert.Equal(straightResult.Test.Top1, resumedResult.Test!.Top1);
            }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Batch_norm_settings_reach_every_batch_norm_layer_and_frozen_scales_stay_at_one_while_the_shifts_learn()
    {
        var data = new DataSplits(Squares(256, 0), null, Squares(64, 1));
        var (network, result) = Fit(Recipe with { BatchNormMomentum = 0.4, BatchNormEps = 1e-12, BatchNormFrozenScale = true }, data);
        using (network)
        {
            var norms = network.modules().OfType<TorchSharp.Modules.BatchNorm>().ToList();
            Assert.NotEmpty(norms);
            Assert.All(norms, norm =>
            {
                Assert.Equal(0.4, norm.momentum!.Value, 1e-12);
                Assert.Equal(1e-12, norm.eps, 1e-20);
                Assert.Equal(1f, norm.weight!.min().item<float>());
                Assert.Equal(1f, norm.weight.max().item<float>());
            });
            Assert.Contains(norms, norm => norm.bias!.abs().max().item<float>() > 1e-4);
            Assert.True(result.Test!.Top1 > 0.5, $"with frozen scales the network did not learn the squares: {result.Test.Top1}");
        }
    }

    [Fact]
    public void Whitening_fills_the_first_convolution_so_that_its_patches_come_out_decorrelated_and_training_leaves_it_as_it_is()
    {
        var whitened = Architecture.Parse($"""
            input {Side}x{Side}x1
            classes {Classes}
            stem ConvNormActivation out=8 kernel=2 stride=1 groups=1 act=gelu
            block BasicBlock out=8 stride=1
            head dropout=0
            """);
        var data = new DataSplits(Squares(256, 0), null, Squares(64, 1));
        var config = Recipe with { Whiten = true };
        var batches = new DataBatches(data, config);
        using var network = NetworkBuilder.Build(whitened, new Seeds(config.Seed));
        PatchWhitening.Apply(network, batches.Train, fill: true);
        var conv = network.modules().OfType<TorchSharp.Modules.Conv2d>().First();
        using var filled = conv.weight!.detach().clone();

        // The eigenvector half's outputs over every training patch: second moments diag(l / (l + eps)), nothing between.
        using (TorchSharp.torch.NewDisposeScope())
        {
            var images = TorchSharp.torch.cat(batches.Train.Epoch(0).Select(b => TorchSharp.torch.tensor(b.Images.AsSpan(0, b.Count * Side * Side).ToArray(), [b.Count, 1, Side, Side])).ToList());
            var outputs = TorchSharp.torch.nn.functional.conv2d(images, filled[..4]).permute(0, 2, 3, 1).reshape(-1, 4).to(TorchSharp.torch.float64);
            var moments = outputs.t().matmul(outputs).div(outputs.shape[0]);
            var diagonal = moments.diag();
            Assert.True((moments - diagonal.diag()).abs().max().item<double>() < 1e-4, moments.ToString(TorchSharp.TensorStringStyle.Numpy));
            Assert.InRange(diagonal.max().item<double>(), 0.95, 1.0 + 1e-6);
            Assert.True((filled[4..] + filled[..4]).abs().max().item<float>() == 0, "the second half is not the first's negative");
        }

        var result = new Trainer(config).Fit(network, batches.Train, test: batches.Test);
        Assert.Equal(0f, (conv.weight! - filled).abs().max().item<float>());
        Assert.True(result.Test!.Top1 > 0.5, $"the whitened network did not learn the squares: {result.Test.Top1}");
        using var plain = NetworkBuilder.Build(Small, new Seeds(config.Seed));
        var error = Assert.Throws<TrainingException>(() => new Trainer(config).Fit(plain, batches.Train));
        Assert.Contains("8 output channels", error.Message);
    }

    [Fact]
    public void The_whitening_bias_trains_for_its_epochs_and_then_stays_as_it_is()
    {
        var whitened = Architecture.Parse($"""
            input {Side}x{Side}x1
            classes {Classes}
            stem ConvNormActivation out=8 kernel=2 stride=1 groups=1 act=gelu norm=none
            block BasicBlock out=8 stride=1
            head dropout=0
            """);
        var data = new DataSplits(Squares(128, 0), null, Squares(32, 1));
        float[] BiasAfter(int epochs, int biasEpochs)
        {
            // A constant rate, so that the first epoch is the same whatever the number of epochs.
            var config = Recipe with { Epochs = epochs, Whiten = true, WhitenBiasEpochs = biasEpochs, Schedule = ScheduleKind.Constant };
            using var network = NetworkBuilder.Build(whitened, new Seeds(config.Seed));
            new Trainer(config).Fit(network, new DataBatches(data, config).Train);
            return PatchWhitening.Convolution(network).bias!.data<float>().ToArray();
        }
        var afterOne = BiasAfter(1, 1);
        Assert.Contains(afterOne, b => b != 0);
        Assert.Equal(afterOne, BiasAfter(3, 1));
        Assert.NotEqual(afterOne, BiasAfter(3, 3));
    }

    [Fact]
    public void Dirac_init_makes_every_size_keeping_convolution_pass_its_input_through_on_its_first_channels_and_leaves_the_others()
    {
        var plainConvs = Architecture.Parse($"""
            input {Side}x{Side}x1
            classes {Classes}
            stem Conv out=4 kernel=2 stride=1 padding=0 groups=1 bias=0
            block Conv out=8 kernel=3 stride=1 padding=1 groups=1 bias=1
            block Conv out=8 kernel=3 stride=1 padding=1 groups=1 bias=0
            block Conv out=4 kernel=3 stride=1 padding=1 groups=1 bias=0
            block Conv out=8 kernel=3 stride=2 padding=1 groups=1 bias=0
            head dropout=0
            """);
        using var network = NetworkBuilder.Build(plainConvs, new Seeds(0));
        var convs = network.modules().OfType<TorchSharp.Modules.Conv2d>().ToList();
        using var before = TorchSharp.torch.cat(new[] { convs[0].weight!, convs[4].weight! }.Select(w => w.detach().flatten()).ToList()).clone();
        Assert.Equal(3, DiracInitialization.Apply(network, new Seeds(0)));

        using var scope = TorchSharp.torch.NewDisposeScope();
        using var _ = TorchSharp.torch.no_grad();
        var x = TorchSharp.torch.randn(2, 4, Side, Side);
        // 4 -> 8: the first 4 outputs are the input, the bias is 0, the other 4 filters are PyTorch's uniform(+-1/sqrt(36)).
        var widened = convs[1].call(x);
        Assert.Equal(0f, (widened[.., ..4] - x).abs().max().item<float>());
        Assert.Equal(0f, convs[1].bias!.abs().max().item<float>());
        var rest = convs[1].weight![4..];
        Assert.True(rest.abs().max().item<float>() <= 1 / 6f && rest.std().item<float>() > 0.05f, rest.ToString(TorchSharp.TensorStringStyle.Numpy));
        // 8 -> 8 is the identity; 8 -> 4 keeps the first 4 channels.
        var square = TorchSharp.torch.randn(2, 8, Side, Side);
        Assert.Equal(0f, (convs[2].call(square) - square).abs().max().item<float>());
        Assert.Equal(0f, (convs[3].call(square) - square[.., ..4]).abs().max().item<float>());
        // The 2x2 conv without padding and the strided conv are not size-keeping: untouched.
        var after = TorchSharp.torch.cat(new[] { convs[0].weight!, convs[4].weight! }.Select(w => w.detach().flatten()).ToList());
        Assert.Equal(0f, (after - before).abs().max().item<float>());
    }

    [Fact]
    public void Learning_rate_factors_move_the_batch_norm_shifts_and_the_classifier_by_their_factor_and_the_rest_as_before()
    {
        // One step of plain SGD (no momentum, no decay, a constant rate) on one batch: each parameter moves by rate x gradient.
        var data = new DataSplits(Squares(32, 0), null, Squares(8, 1));
        var step = Recipe with { Epochs = 1, Momentum = 0, WeightDecay = 0, Schedule = ScheduleKind.Constant };
        Dictionary<string, Tensor> Moves(TrainingConfig config)
        {
            using var network = NetworkBuilder.Build(Small, new Seeds(config.Seed));
            var before = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
            new Trainer(config).Fit(network, new DataBatches(data, config).Train);
            return network.named_parameters().ToDictionary(p => p.name, p => (p.parameter.detach() - before[p.name]).abs().sum());
        }
        var plain = Moves(step);
        var scaled = Moves(step with { BatchNormBiasLrScale = 64, ClassifierLrScale = 1.0 / 81 });
        var shifts = NetworkBuilder.Build(Small, new Seeds(1)).named_modules().Where(m => m.module is TorchSharp.Modules.BatchNorm)
            .Select(m => m.name + ".bias").ToHashSet();
        Assert.NotEmpty(shifts);
        foreach (var (name, move) in plain)
        {
            var factor = shifts.Contains(name) ? 64 : name.StartsWith("fc.", StringComparison.Ordinal) ? 1.0 / 81 : 1;
            Assert.True(move.item<float>() > 0, $"{name} did not move");
            Assert.Equal(factor, scaled[name].item<float>() / move.item<float>(), 3);
        }
    }

    private static double MaxDifference(Network a, Network b) =>
        a.parameters().Zip(b.parameters()).Max(p => (p.First - p.Second).abs().max().item<float>());

    /// <summary>Cancels the fit once <paramref name="epochs"/> epochs have finished (after their checkpoint, before the next batch).</summary>
    private sealed class StopAfterEpoch(int epochs, CancellationTokenSource stop) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Finished is not null && value.Epoch >= epochs) stop.Cancel();
        }
    }
}
