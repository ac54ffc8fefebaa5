namespace GptNas.Gpt;

/// <summary>The optimizer the GPT trainer uses.</summary>
public enum GptOptimizer
{
    /// <summary>Adam with L2 weight decay folded into the gradient (GPT-NAS §4: Adam).</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay (nanoGPT).</summary>
    AdamW,
}

/// <summary>How the GPT is trained (GPT-NAS §4: Adam, learning rate 1e-4, batch 128, 300 epochs).</summary>
public sealed record GptTrainingConfig
{
    /// <summary>Total passes over the training windows; a resumed trainer continues up to this number.
    /// The paper trains 300; the default suits a CPU.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Windows per optimizer step (§4: 128).</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Constant learning rate (§4: 1e-4).</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Adam or AdamW.</summary>
    public GptOptimizer Optimizer { get; init; } = GptOptimizer.Adam;
    /// <summary>Weight decay (L2 for Adam, decoupled for AdamW); the paper names none.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Clip the gradient's global norm to this value (nanoGPT: 1.0); 0 turns clipping off.</summary>
    public double GradientClip { get; init; } = 1.0;
    /// <summary>Seeds the window order and dropout; the model's initialization has its own seed.</summary>
    public int Seed { get; init; }

    /// <summary>Throws a <see cref="GptNasException"/> naming the first impossible setting.</summary>
    public GptTrainingConfig Validate()
    {
        if (Epochs < 0) throw new GptNasException($"gpt.epochs is {Epochs}; it must be 0 or more");
        if (BatchSize < 1) throw new GptNasException($"gpt.batch_size is {BatchSize}; it must be at least 1");
        if (!(LearningRate > 0)) throw new GptNasException($"gpt.learning_rate is {LearningRate}; it must be positive");
        if (WeightDecay < 0) throw new GptNasException($"gpt.weight_decay is {WeightDecay}; it must be 0 or more");
        if (GradientClip < 0) throw new GptNasException($"gpt.gradient_clip is {GradientClip}; it must be 0 (off) or positive");
        return this;
    }
}

/// <summary>One epoch of GPT training.</summary>
/// <param name="Epoch">1-based epoch number, counted over resumes.</param>
/// <param name="Loss">Mean training cross-entropy per target token.</param>
/// <param name="Steps">Optimizer steps in this epoch.</param>
/// <param name="Tokens">Input tokens processed (padding excluded).</param>
/// <param name="Seconds">Wall time of the epoch's training steps.</param>
/// <param name="Validation">Metrics on the validation sequences, when given.</param>
public sealed record GptEpoch(int Epoch, double Loss, int Steps, long Tokens, double Seconds, NextTokenEvaluation? Validation)
{
    /// <summary>Training throughput in input tokens per second.</summary>
    public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : 0;
}
