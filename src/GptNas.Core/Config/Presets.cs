using GptNas.Training;

namespace GptNas.Config;

/// <summary>
/// Named configs: <c>paper</c> (GPT-NAS's own numbers, for GPUs), <c>quick</c> (the default, sized for a 2-core
/// CPU) and <c>smoke</c> (for tests). The algorithm is the same code in every preset; only sizes differ.
/// </summary>
public static class Presets
{
    public static readonly IReadOnlyList<string> Names = ["quick", "paper", "smoke"];

    public static SearchConfig Get(string name) => name switch
    {
        // The paper's numbers, and the shipped prior with the paper's GPT shape (priors/paper).
        "paper" => new SearchConfig { Prior = new PriorSettings { Path = "paper" } },
        "quick" => Quick,
        "smoke" => Smoke,
        _ => throw new GptNasException($"unknown preset '{name}'; choose one of {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// Sized so that `gptnas search` on the embedded data (5,400 / 600 / 1,000 images of 28x28) finishes within
    /// 20 minutes on 2 cores: 8 x 5 = 48 proxy trainings of 4 epochs on narrow 4-8 block networks, then 15 epochs
    /// of final training. Proxies see at most 5,400 training images on any data set, so a larger one costs more
    /// only in the final training.
    /// </summary>
    private static SearchConfig Quick => new()
    {
        Ga = new() { Population = 8, Generations = 5 },
        Space = new() { MinBlocks = 4, MaxBlocks = 8, Widths = [16, 32, 64] },
        Proxy = new()
        {
            // 4 epochs: the shortest proxy that ranks 20 sampled architectures as the final recipe does with Kendall's tau of
            // 0.5 or more on both Fashion-MNIST and CIFAR-10 (gptnas bench proxy, README); 2 epochs rank them at 0.36 and 0.40.
            Training = new TrainingConfig { Epochs = 4, BatchSize = 128, LearningRate = 0.05, WarmupEpochs = 0.3, Schedule = ScheduleKind.Cosine, CropPadding = 2, Flip = true },
            MaxTrainImages = 5_400,
            TimeoutSeconds = 300,
            // Measured with gptnas bench proxy over 20 sampled architectures on Fashion-MNIST and CIFAR-10 (README): training
            // every parameter ranks them as the final recipe does far better than the paper's acceleration, at about its cost.
            Acceleration = Acceleration.Full,
        },
        Final = new TrainingConfig { Epochs = 15, BatchSize = 128, LearningRate = 0.05, WarmupEpochs = 0.5, Schedule = ScheduleKind.Cosine, CropPadding = 2, Flip = true },
    };

    /// <summary>A search that finishes in seconds: for tests of the whole path, not for results.</summary>
    private static SearchConfig Smoke => new()
    {
        Ga = new() { Population = 4, Generations = 2 },
        Space = new() { MinBlocks = 2, MaxBlocks = 4, Widths = [8, 16] },
        Proxy = new()
        {
            Training = new TrainingConfig { Epochs = 1, BatchSize = 64, LearningRate = 0.05, WarmupEpochs = 0, Schedule = ScheduleKind.Constant, CropPadding = 0, Flip = false },
            TrainFraction = 0.1,
            TimeoutSeconds = 120,
        },
        Final = new TrainingConfig { Epochs = 1, BatchSize = 64, LearningRate = 0.05, WarmupEpochs = 0, Schedule = ScheduleKind.Constant, CropPadding = 0, Flip = false },
    };
}
