using System.Diagnostics;
using GptNas.Gpt;
using GptNas.Spaces.NasBench201;
using static TorchSharp.torch;

namespace GptNas.Bench;

/// <summary>How the NB201 benchmark's GPT prior is built.</summary>
public sealed record Nb201PriorConfig
{
    /// <summary>GPT-NAS §4's GPT at the tiny preset (2 layers, 2 heads, width 32, no dropout); context 10 ≥ the
    /// 7 tokens of a cell (&lt;bos&gt; and 6 ops).</summary>
    public GptConfig Gpt { get; init; } = GptConfig.Tiny;
    /// <summary>NOTE: learning rate 3e-3, not §4's 1e-4: with 1,000 sequences an epoch is 8 steps, and 1e-4 would
    /// need thousands of epochs to fit a 5-op vocabulary. The seed is set from the benchmark's root seed.</summary>
    public GptTrainingConfig Training { get; init; } = new() { Epochs = 150, BatchSize = 128, LearningRate = 3e-3 };
    /// <summary>Sampling temperature of reconstruction (§5: 1; top-k 10 keeps all 5 ops, so it is a no-op).</summary>
    public double Temperature { get; init; } = 1.0;
}

/// <summary>What the prior was trained on and how well it fits it, for the command's output.</summary>
/// <param name="Loss">Mean next-op cross-entropy (nats) of the trained GPT over the corpus, all 6 positions.</param>
/// <param name="UniformLoss">ln 5: a prior that knows nothing.</param>
/// <param name="BigramLoss">A smoothed bigram over the same corpus: the baseline the GPT should beat.</param>
public sealed record Nb201PriorReport(int Sequences, int Epochs, long Parameters, double Loss, double UniformLoss, double BigramLoss, double Seconds);

/// <summary>
/// The GPT prior of the benchmark's gpt-nas strategy: a tiny GPT trained once, with a fixed seed, on the op
/// sequences of the corpus cells (each cell = 6 tokens, its ops in edge order; token ids 3..7 for the 5 ops after
/// the reserved &lt;pad&gt; 0, &lt;bos&gt; 1, &lt;unk&gt; 2), then exported as <see cref="Nb201PrefixPrior"/>: the GPT's
/// next-op distribution, restricted to the 5 ops and at the given temperature, for every one of the 3,906 prefixes.
/// The GPT sees ops only: no accuracy, no CIFAR column, no ranking (the corpus is shuffled each epoch).
/// </summary>
public static class Nb201GptPrior
{
    /// <summary>Token id of op 0; op k is <c>FirstOpToken + k</c>.</summary>
    public const int FirstOpToken = GptTokens.Unk + 1;
    private static readonly bool[] AllOps = [.. Enumerable.Repeat(true, Nb201Cell.OpCount)];

    public static int VocabularySize => FirstOpToken + Nb201Cell.OpCount;

    /// <summary>A cell as the GPT reads it: its 6 op tokens in edge order.</summary>
    public static int[] Tokens(Nb201Cell cell) => cell.Ops.Select(op => FirstOpToken + op).ToArray();

    /// <summary>
    /// Trains the GPT on <paramref name="corpus"/> and exports it. Deterministic for a seed on one torch thread
    /// (the caller sets the thread count; the benchmark uses 1 so the prior never depends on --threads).
    /// </summary>
    public static (Nb201PrefixPrior Prior, Nb201PriorReport Report) Train(IReadOnlyList<Nb201Cell> corpus, Nb201PriorConfig config, int seed)
    {
        if (corpus.Count == 0) throw new GptNasException("the GPT prior's corpus is empty");
        var clock = Stopwatch.StartNew();
        var sequences = corpus.Select(Tokens).ToList();
        using var model = new GptModel(config.Gpt, VocabularySize, seed);
        using var trainer = new GptTrainer(model, config.Training with { Seed = seed });
        var epochs = trainer.Fit(sequences);
        var fit = trainer.Evaluate(sequences);
        var bigram = new BigramModel(VocabularySize).Fit(sequences).Evaluate(sequences);
        var prior = Export(model, config.Temperature);
        var report = new Nb201PriorReport(sequences.Count, epochs.Count, model.ParameterCount, fit.Loss, Math.Log(Nb201Cell.OpCount), bigram.Loss, clock.Elapsed.TotalSeconds);
        return (prior, report);
    }

    /// <summary>
    /// P(next op | prefix) for every prefix of 0..5 ops: the GPT's logits at the prefix's last position (context
    /// &lt;bos&gt; + prefix tokens), over the 5 op tokens only, divided by <paramref name="temperature"/>, softmaxed.
    /// Equal to <see cref="GptSampler.NextTokenProbabilities"/> with the ops allowed, computed in 6 batches.
    /// </summary>
    public static Nb201PrefixPrior Export(GptModel model, double temperature = 1.0)
    {
        if (!(temperature > 0)) throw new GptNasException($"the prior's temperature is {temperature}; it must be positive");
        if (model.VocabularySize != VocabularySize) throw new GptNasException($"the NB201 GPT has {VocabularySize} tokens; this model has {model.VocabularySize}");
        var next = new IReadOnlyList<double>[Nb201PrefixPrior.PrefixCount];
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            for (var length = 0; length < Nb201Cell.EdgeCount; length++)
            {
                using var scope = NewDisposeScope();
                var count = (int)Math.Pow(Nb201Cell.OpCount, length);
                var ids = new long[count * (length + 1)];
                var ops = new int[length];
                for (var p = 0; p < count; p++)
                {
                    for (int k = length - 1, rest = p; k >= 0; k--, rest /= Nb201Cell.OpCount) ops[k] = rest % Nb201Cell.OpCount;
                    ids[p * (length + 1)] = GptTokens.Bos;
                    for (var k = 0; k < length; k++) ids[p * (length + 1) + k + 1] = FirstOpToken + ops[k];
                }
                var x = tensor(ids, [count, length + 1]).to(model.Device); // (N, T)
                var last = model.call(x)[.., length, FirstOpToken..VocabularySize]; // (N, 5)
                var logits = last.to(float32).cpu().data<float>().ToArray();
                for (var p = 0; p < count; p++)
                {
                    for (int k = length - 1, rest = p; k >= 0; k--, rest /= Nb201Cell.OpCount) ops[k] = rest % Nb201Cell.OpCount;
                    next[Nb201PrefixPrior.PrefixIndex(ops, length)] = GptSampler.Softmax(logits[(p * Nb201Cell.OpCount)..((p + 1) * Nb201Cell.OpCount)], AllOps, temperature);
                }
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }
        return new Nb201PrefixPrior(next);
    }

}
