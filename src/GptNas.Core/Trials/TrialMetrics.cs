namespace GptNas.Trials;

/// <summary>The keys of <see cref="TrialRecord.Metrics"/>: written by the evaluators and the study runner, read by reports and commands.</summary>
public static class TrialMetrics
{
    /// <summary>Validation top-1 of the proxy training: the fitness (GPT-NAS §7).</summary>
    public const string ValidationTop1 = "val_top1";
    public const string ValidationLoss = "val_loss";
    public const string TrainLoss = "train_loss";
    public const string TrainTop1 = "train_top1";
    /// <summary>Parameters of the whole network.</summary>
    public const string Parameters = "parameters";
    /// <summary>Multiply-adds of one forward pass.</summary>
    public const string Flops = "flops";
    /// <summary>Parameters the proxy updated (fewer than <see cref="Parameters"/> under the paper's acceleration).</summary>
    public const string TrainedParameters = "trained_parameters";
    /// <summary>Which parameters trained, as <c>(int)</c> of the evaluator's <c>TrainedSet</c>.</summary>
    public const string Acceleration = "acceleration";
    public const string ImagesPerSecond = "images_per_second";
    /// <summary>Wall time of the trial, evaluation and bookkeeping.</summary>
    public const string Seconds = "seconds";
    /// <summary>Successive halving's rung the trial was evaluated at (absent: 0, the only one without halving).</summary>
    public const string Rung = "rung";
    /// <summary>Training images the proxy saw (fewer at low rungs).</summary>
    public const string ProxyImages = "proxy_images";
    /// <summary>1 when the result was copied from an earlier trial of the same candidate.</summary>
    public const string Duplicate = "duplicate";

    // How the prior's proposals reached the candidate (GPT-NAS §5), counted by the reconstruction; every key starts "prior_".
    private const string PriorPrefix = "prior_";

    /// <summary>True for the reconstruction's counts: they belong to the individual, not to what its training measured.</summary>
    public static bool IsPriorCount(string key) => key.StartsWith(PriorPrefix, StringComparison.Ordinal);

    /// <summary>Layer tokens the GPT read as context.</summary>
    public const string PriorContextTokens = "prior_context_tokens";
    /// <summary>Of those, the ones that were vocabulary tokens themselves, not encoded through the nearest-token fallback.</summary>
    public const string PriorContextExact = "prior_context_exact";
    /// <summary>Tokens the block classifier read (its context and the predicted layer).</summary>
    public const string PriorClassifierTokens = "prior_classifier_tokens";
    public const string PriorClassifierExact = "prior_classifier_exact";
    /// <summary>Predictions whose first layer no vocabulary token could be at that position, so the GPT's choice was not restricted.</summary>
    public const string PriorMaskRelaxed = "prior_mask_relaxed";
    /// <summary>Predictions whose first layer no block kind can realise there; the classifier then chose among all kinds that fit.</summary>
    public const string PriorUnrealisable = "prior_unrealisable";
    /// <summary>Blocks the prior predicted.</summary>
    public const string PriorBlocks = "prior_blocks";
    /// <summary>Predicted blocks that reached the network as predicted: the classified kind, starting with the predicted layer, unchanged by repair.</summary>
    public const string PriorBlocksAsPredicted = "prior_blocks_as_predicted";
    /// <summary>Predicted blocks that repair changed after they were built.</summary>
    public const string PriorRepaired = "prior_repaired";
    /// <summary>1 when the rebuilt candidate broke the space's limits and the original was kept.</summary>
    public const string PriorDiscarded = "prior_discarded";
    /// <summary>Layers of the predicted blocks that follow the GPT's rollout, summed (a measure of how far the blocks follow the GPT).</summary>
    public const string PriorRolloutMatched = "prior_rollout_matched";
    public const string PriorRolloutLayers = "prior_rollout_layers";
}
