using GptNas.Architectures;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Training;

namespace GptNas.Tests;

/// <summary>The training recipe's options do what they say: label smoothing, and the flip test-time augmentation.</summary>
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
            Assert.NotNull(result.Test!.FlipTop1);
            var mirrored = new DataSplits(data.Train, null, Squares(64, 1, mirror: true));
            // Scored with the training split's normalization, as the fit scored the test split.
            var trainer = new Trainer(Recipe);
            var onMirror = trainer.Evaluate(network, new DataBatches(mirrored, Recipe).Test, flip: true);
            Assert.Equal(result.Test.FlipTop1!.Value, onMirror.FlipTop1!.Value, 1e-9);
            // Without augmentation, the mirror image of a quadrant is another class: plain top-1 is not invariant.
            Assert.NotEqual(result.Test.Top1, onMirror.Top1);
            Assert.Null(trainer.Evaluate(network, new DataBatches(data, Recipe).Test).FlipTop1);
        }
    }
}
