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
}
