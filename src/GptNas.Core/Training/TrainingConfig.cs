using GptNas.Architectures;
using GptNas.Config;

namespace GptNas.Training;

/// <summary>How one network is trained: the settings of GPT-NAS §7, with CPU-sized defaults.</summary>
public sealed record TrainingConfig
{
    /// <summary>Passes over the training split.</summary>
    public int Epochs { get; init; } = 5;
    /// <summary>Images per optimizer step.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>SGD peak learning rate (after warm-up).</summary>
    public double LearningRate { get; init; } = 0.05;
    /// <summary>SGD momentum (§7: 0.9).</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>L2 weight decay (§7: 5e-4).</summary>
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; init; } = true;
    /// <summary>Decay after warm-up: constant, step, cosine or linear (to 0 at the last step).</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;
    /// <summary>Linear warm-up length in epochs (fractions allowed).</summary>
    public double WarmupEpochs { get; init; } = 0.5;
    /// <summary>The warm-up's first rate, as a fraction of the peak (airbench: 0.2).</summary>
    public double WarmupFrom { get; init; }
    /// <summary>Cosine and linear decay: the last rate, as a fraction of the peak (airbench: 0.07).</summary>
    public double DecayTo { get; init; }
    /// <summary>Step schedule: epochs between decays.</summary>
    public int StepEpochs { get; init; } = 30;
    /// <summary>Step schedule: factor applied at each decay.</summary>
    public double StepFactor { get; init; } = 0.1;
    /// <summary>Zero padding before the random crop; 0 turns cropping off.</summary>
    public int CropPadding { get; init; } = 2;
    /// <summary>The crop's padding mirrors the image's edge instead of adding black pixels (airbench's translation).</summary>
    public bool CropReflect { get; init; }
    /// <summary>Random horizontal flip per image.</summary>
    public bool Flip { get; init; } = true;
    /// <summary>With <see cref="Flip"/>: flip each image in every other epoch instead of at random (derandomized, as airbench does).</summary>
    public bool AlternatingFlip { get; init; }
    /// <summary>Label smoothing of the cross-entropy (0 = none; airbench uses 0.2).</summary>
    public double LabelSmoothing { get; init; }
    /// <summary>
    /// Test-time augmentation of the test evaluation: also score the mean of the logits of each image and its mirror image,
    /// reported beside the plain accuracy (validation during training stays plain).
    /// </summary>
    public bool TestTimeFlip { get; init; }
    /// <summary>
    /// Test-time augmentation by translation: also score each image shifted by this many pixels up-left and down-right
    /// (reflect padding), half the weight on the image itself and half on the two shifts, each with its mirror image when
    /// <see cref="TestTimeFlip"/> is on (airbench's multi-crop evaluation with 1). 0 = off.
    /// </summary>
    public int TestTimeTranslate { get; init; }

    /// <summary>Whether the test evaluation also reports an augmented top-1.</summary>
    public bool TestTimeAugmentation() => TestTimeFlip || TestTimeTranslate > 0;
    /// <summary>
    /// airbench's lookahead: every 5 steps a slow copy of the weights moves towards the live ones, which are reset to it,
    /// with a decay that grows over the training; the model ends with the slow copy.
    /// </summary>
    public bool Lookahead { get; init; }
    /// <summary>
    /// BatchNorm running-statistics momentum in PyTorch's convention (the weight of each new batch; airbench's 0.6 is
    /// PyTorch's 0.4). 0 keeps each layer's own (PyTorch's 0.1).
    /// </summary>
    public double BatchNormMomentum { get; init; }
    /// <summary>BatchNorm epsilon for every BatchNorm layer (airbench: 1e-12). 0 keeps each layer's own (1e-5, or 1e-3 in EfficientNet).</summary>
    public double BatchNormEps { get; init; }
    /// <summary>BatchNorm scales stay at their initial 1 and are not trained; only the shifts learn (airbench's BatchNorm).</summary>
    public bool BatchNormFrozenScale { get; init; }
    /// <summary>
    /// Learning-rate factor of the BatchNorm shifts, their weight decay divided by it so the decay per step stays the
    /// weights' (airbench's bias scaler: 64). 1 = one rate for every parameter.
    /// </summary>
    public double BatchNormBiasLrScale { get; init; } = 1;
    /// <summary>
    /// Learning-rate factor of the classifier (the final linear layer), its weight decay divided by it. airbench scales its
    /// logits by 1/9, which trains as this factor at 1/81 does; 1 = the rate of every other parameter.
    /// </summary>
    public double ClassifierLrScale { get; init; } = 1;
    /// <summary>
    /// airbench's patch-whitening first layer: the network's first convolution, which must have 2 x C x k x k outputs
    /// (airbench94's has), is filled from the training images' patch covariance before training and not trained.
    /// </summary>
    public bool Whiten { get; init; }
    /// <summary>With <see cref="Whiten"/>: the epochs the whitening convolution's bias trains, if it has one, before it too is frozen (airbench: 3).</summary>
    public int WhitenBiasEpochs { get; init; } = 3;
    /// <summary>
    /// airbench's initialization: before training, every stride-1 'same' convolution over all channels is drawn again as
    /// PyTorch's default with the identity in its first filters, so the network starts close to passing its input through.
    /// </summary>
    public bool DiracInit { get; init; }
    /// <summary>The <see cref="TrainingRecipes"/> bundle these settings were set from ("" = none); a record, its settings are the fields.</summary>
    public string Recipe { get; init; } = "";
    /// <summary>Root seed for initialization, shuffling and augmentation.</summary>
    public int Seed { get; init; } = 0;
    /// <summary>
    /// Train convolutions in channels-last (NHWC) memory layout: batches and 4-d weights are laid out NHWC
    /// while a fit runs (weights go back to the usual layout afterwards and around each checkpoint), which
    /// saves oneDNN its layout reorders: about 1.2-1.5x CNN training speed on CPU, with the same values up
    /// to float rounding (bench/RESULTS.md). On by default; off gives the plain NCHW path.
    /// </summary>
    public bool ChannelsLast { get; init; } = true;
    /// <summary>
    /// Run the forward pass under CPU autocast to bfloat16 (convolutions and matrix products in bf16, fast on
    /// CPUs with AVX-512 BF16 / AMX; weights, optimizer and loss stay float32). Off by default: it changes
    /// the numbers slightly, and is slower on CPUs without bf16 instructions.
    /// </summary>
    public bool Bf16Autocast { get; init; } = false;

    public LearningRateSchedule LearningRateSchedule =>
        new(LearningRate, Schedule, WarmupEpochs, StepEpochs, StepFactor, MinRate: DecayTo * LearningRate, WarmupFrom: WarmupFrom);

    /// <summary>Refuses what cannot train and warns about what will train badly; keys are <paramref name="prefix"/> + snake_case (<c>final.learning_rate</c>).</summary>
    public void Validate(SettingsCheck check, string prefix)
    {
        check.AtLeast(Epochs, prefix + "epochs", 1);
        check.AtLeast(BatchSize, prefix + "batch_size", 1);
        check.Range(LearningRate, prefix + "learning_rate", 0, double.PositiveInfinity, minOpen: true);
        check.Range(Momentum, prefix + "momentum", 0, 1, maxOpen: true);
        check.Range(WeightDecay, prefix + "weight_decay", 0, double.PositiveInfinity);
        check.Range(WarmupEpochs, prefix + "warmup_epochs", 0, double.PositiveInfinity);
        check.Range(WarmupFrom, prefix + "warmup_from", 0, 1);
        check.Range(DecayTo, prefix + "decay_to", 0, 1);
        check.Range(BatchNormBiasLrScale, prefix + "batch_norm_bias_lr_scale", 0, double.PositiveInfinity, minOpen: true);
        check.Range(ClassifierLrScale, prefix + "classifier_lr_scale", 0, double.PositiveInfinity, minOpen: true);
        check.Range(LabelSmoothing, prefix + "label_smoothing", 0, 1, maxOpen: true);
        check.AtLeast(StepEpochs, prefix + "step_epochs", 1);
        check.Range(StepFactor, prefix + "step_factor", 0, 1, minOpen: true);
        check.AtLeast(CropPadding, prefix + "crop_padding", 0);
        check.AtLeast(TestTimeTranslate, prefix + "test_time_translate", 0);
        check.AtLeast(WhitenBiasEpochs, prefix + "whiten_bias_epochs", 0);
        check.Range(BatchNormMomentum, prefix + "batch_norm_momentum", 0, 1);
        check.Range(BatchNormEps, prefix + "batch_norm_eps", 0, 1);
        check.Require(Recipe.Length == 0 || TrainingRecipes.All.ContainsKey(Recipe), prefix + "recipe", $"empty or one of {string.Join(", ", TrainingRecipes.All.Keys)}", Recipe);
        check.Warn(Epochs > 0 && WarmupEpochs > Epochs,
            $"{check.Name(prefix + "warmup_epochs")} {SettingsCheck.Format(WarmupEpochs)} is longer than the {Epochs} epochs: the learning rate never reaches its peak");
        // Frozen BatchNorm scales make the convolutions' scale free of the rate, which is how airbench trains at 1.5.
        check.Warn(double.IsFinite(LearningRate) && LearningRate > 1 && !BatchNormFrozenScale,
            $"{check.Name(prefix + "learning_rate")} {SettingsCheck.Format(LearningRate)} is far above what SGD trains with (0.01-0.1); expect a NaN loss");
    }

    /// <summary>Warnings that need the data's image size: a crop padding that leaves mostly padding in each crop.</summary>
    public void Validate(SettingsCheck check, string prefix, Shape input)
    {
        var side = Math.Min(input.Height, input.Width);
        check.Warn(CropPadding > 0 && CropPadding * 4 > side,
            $"{check.Name(prefix + "crop_padding")} {CropPadding} on {input.Height}x{input.Width} images: most of a random crop can be padding, " +
            $"which drops accuracy towards chance; {Math.Max(1, side / 8)} is usual");
    }
}
