using GptNas.Search;
using GptNas.Spaces;
using GptNas.Training;

namespace GptNas.Config;

/// <summary>Which parameters a proxy training updates (GPT-NAS §7).</summary>
public enum Acceleration
{
    /// <summary>The paper's: only the GPT-predicted blocks; only BatchNorm when none was predicted; everything when neither exists.</summary>
    Predicted,
    /// <summary>Every parameter.</summary>
    Full,
}

/// <summary>Proxy fitness (§7): a short training, scored by validation top-1.</summary>
public sealed record ProxySettings
{
    public TrainingConfig Training { get; init; } = new()
    {
        Epochs = 6, BatchSize = 512, LearningRate = 0.01, WarmupEpochs = 6, Schedule = ScheduleKind.Constant, CropPadding = 4, Flip = true,
    };
    /// <summary>Which parameters the proxy trains.</summary>
    public Acceleration Acceleration { get; init; } = Acceleration.Predicted;
    /// <summary>Share of the training split used for proxies (§7: 10% on ImageNet); 1 = all.</summary>
    public double TrainFraction { get; init; } = 1.0;
    /// <summary>
    /// Most training images a proxy sees (0 = no cap), applied after <see cref="TrainFraction"/>: keeps a preset's
    /// search cost the same on a data set of any size; only the final training uses all of it.
    /// </summary>
    public int MaxTrainImages { get; init; }
    /// <summary>A trial that runs longer fails (0 = no limit).</summary>
    public double TimeoutSeconds { get; init; }
    /// <summary>
    /// Multi-fidelity evaluation: successive halving over this many rungs (0 or 1 = off). Rung r of R trains on
    /// 1 / factor^(R-1-r) of the proxy's images (the top rung on all of them), and only the best 1 / factor of each
    /// generation go up a rung (<c>SuccessiveHalving</c>).
    /// </summary>
    public int Rungs { get; init; }
    /// <summary>Successive halving's reduction factor (eta); 0 = 3, Hyperband's and ASHA's usual value.</summary>
    public int RungFactor { get; init; }

    /// <summary>The reduction factor in effect.</summary>
    public int HalvingFactor() => RungFactor > 0 ? RungFactor : 3;

    /// <summary>Refuses a proxy that cannot score anything; keys are <c>proxy.*</c>.</summary>
    public void Validate(SettingsCheck check)
    {
        Training.Validate(check, "proxy.training.");
        check.Range(TrainFraction, "proxy.train_fraction", 0, 1, minOpen: true);
        check.AtLeast(MaxTrainImages, "proxy.max_train_images", 0);
        check.Range(TimeoutSeconds, "proxy.timeout_seconds", 0, double.PositiveInfinity);
    }
}

/// <summary>How reconstruction samples from the GPT (§5).</summary>
public sealed record PriorSettings
{
    /// <summary>Folder of the prior (GPT, classifier, vocabulary), or a shipped prior's name (<c>default</c>, <c>paper</c>, <c>small</c>); empty = <c>default</c>.</summary>
    public string Path { get; init; } = "";
    /// <summary>Softmax temperature; 0 = greedy.</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Sample among the k most likely tokens; 0 = all.</summary>
    public int TopK { get; init; } = 5;
    /// <summary>
    /// Rebuild with a predictor that knows nothing instead of the GPT (a block kind uniformly among those that fit, the
    /// width and down-sampling drawn): the control that separates what the GPT knows from what rebuilding itself adds.
    /// </summary>
    public bool Uniform { get; init; }
    /// <summary>
    /// Rebuild with the prior's corpus counts instead of the GPT (a block kind drawn, among those that fit, as often as the
    /// prior's training networks use it; width and down-sampling drawn as <see cref="Uniform"/> draws them): the trivial
    /// baseline that tells what the GPT's context adds beyond which blocks its corpus holds.
    /// </summary>
    public bool Counts { get; init; }
    /// <summary>
    /// The online prior: after every generation the GPT is fine-tuned on the search's best evaluated architectures so far
    /// (rank-weighted), so that what it proposes learns from this search's own results on top of its corpora.
    /// </summary>
    public bool Online { get; init; }
    /// <summary>How many of the best evaluated architectures each refit trains on (0 = 8); the i-th best is repeated k - i times.</summary>
    public int OnlineTopK { get; init; }
    /// <summary>Passes over the weighted architectures at each refit (0 = 5); the GPT carries over from refit to refit.</summary>
    public int OnlineEpochs { get; init; }
    /// <summary>Adam's learning rate in each refit (0 = 5e-4, the rate the shipped prior was fine-tuned at).</summary>
    public double OnlineLearningRate { get; init; }

    // The online settings default to 0 so that studies stored before they existed resume with the same config.
    public int OnlineTopKInEffect() => OnlineTopK > 0 ? OnlineTopK : 8;
    public int OnlineEpochsInEffect() => OnlineEpochs > 0 ? OnlineEpochs : 5;
    public double OnlineLearningRateInEffect() => OnlineLearningRate > 0 ? OnlineLearningRate : 5e-4;

    /// <summary>Refuses a sampling the GPT cannot do; keys are <c>prior.*</c>.</summary>
    public void Validate(SettingsCheck check)
    {
        check.Range(Temperature, "prior.temperature", 0, double.PositiveInfinity);
        check.AtLeast(TopK, "prior.top_k", 0);
        check.AtLeast(OnlineTopK, "prior.online_top_k", 0);
        check.AtLeast(OnlineEpochs, "prior.online_epochs", 0);
        check.Range(OnlineLearningRate, "prior.online_learning_rate", 0, 1);
        check.Warn(double.IsFinite(Temperature) && Temperature > 5,
            $"prior.temperature {SettingsCheck.Format(Temperature)} samples the GPT almost uniformly: reconstruction becomes random (1 is the paper's)");
    }
}

/// <summary>
/// Everything a search run is, in one record: the presets fill it, <c>--set key=value</c> overrides any field,
/// and the resolved record is stored with the study (resuming with another is refused).
/// </summary>
public sealed record SearchConfig
{
    /// <summary>Root seed of the whole run.</summary>
    public int Seed { get; init; }
    /// <summary>Share of the training split held out for fitness (§7: 10%).</summary>
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>
    /// False (the default): the final training uses the whole training split, the validation hold-out included, as
    /// is standard once the architecture is chosen. True keeps the hold-out out of it, for validation curves.
    /// </summary>
    public bool FinalKeepsValidation { get; init; }
    /// <summary>The GA (GPT-NAS) or random sampling at the GA's budget, with the same proxy and final training.</summary>
    public SearchStrategyKind Strategy { get; init; }
    /// <summary>
    /// Seconds of trials the search may spend (0 = no limit), summed over its trials' recorded times: no trial is asked
    /// once they are spent, so the search ends with the generation in which they ran out, and random sampling draws until
    /// then instead of stopping at the GA's trial count. Strategies compared at one budget compare at equal cost; where the
    /// search stops depends on the machine's speed, so two fresh runs of one seed may stop at different trials (a resumed
    /// run replays the stored times and stops where the first did).
    /// </summary>
    public double BudgetSeconds { get; init; }

    /// <summary>The trial-time budget in effect; null: none (a method, so that it is not a setting in the stored config).</summary>
    public TimeSpan? Budget() => BudgetSeconds > 0 ? TimeSpan.FromSeconds(BudgetSeconds) : null;
    public GeneticAlgorithmConfig Ga { get; init; } = new();
    /// <summary>The block space's settings (§2).</summary>
    public BlockSpaceConfig Space { get; init; } = new();
    public ProxySettings Proxy { get; init; } = new();
    public PriorSettings Prior { get; init; } = new();
    /// <summary>Final training of the best architecture (§7: 350 epochs, 0.01 divided by 10 every 100).</summary>
    public TrainingConfig Final { get; init; } = new()
    {
        Epochs = 350, BatchSize = 128, LearningRate = 0.01, Schedule = ScheduleKind.Step, StepEpochs = 100, StepFactor = 0.1, WarmupEpochs = 0, CropPadding = 4, Flip = true,
    };

    /// <summary>
    /// Checks every setting (types are checked by <see cref="ConfigOverrides"/>; this checks ranges and relations)
    /// before a search creates anything: throws one line naming each bad <c>--set</c> key, returns the warnings.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var check = new SettingsCheck();
        check.Range(ValidationFraction, "validation_fraction", 0, 1, minOpen: true, maxOpen: true);
        check.Range(BudgetSeconds, "budget_seconds", 0, double.PositiveInfinity);
        Ga.Validate(check);
        Space.Validate(check);
        Proxy.Validate(check);
        Prior.Validate(check);
        if (Prior.Online && (Strategy != SearchStrategyKind.Ga || !Ga.Reconstruct))
            check.Fail("prior.online=true fine-tunes the GPT that reconstructs candidates; it needs the GA with reconstruction (drop --no-gpt and --strategy random)");
        if (Prior.Online && Prior.Uniform)
            check.Fail("prior.online=true fine-tunes the GPT, and prior.uniform=true rebuilds without it; set one of them");
        if (Prior.Counts && (Prior.Online || Prior.Uniform))
            check.Fail("prior.counts=true rebuilds from the corpus's block counts, without the GPT; drop prior.online and prior.uniform");
        Final.Validate(check, "final.");
        return check.ThrowIfInvalid();
    }

    /// <summary>The warnings that need the data's image size.</summary>
    public IReadOnlyList<string> Warnings(Architectures.Shape input)
    {
        var check = new SettingsCheck();
        Proxy.Training.Validate(check, "proxy.training.", input);
        Final.Validate(check, "final.", input);
        return check.Warnings;
    }
}
