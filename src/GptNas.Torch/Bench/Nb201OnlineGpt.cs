using GptNas.Gpt;
using GptNas.Spaces.NasBench201;

namespace GptNas.Bench;

/// <summary>How the online GPT of the benchmark's gpt-online strategy learns.</summary>
public sealed record Nb201OnlineGptConfig
{
    /// <summary>The tiny GPT (2 layers, 2 heads, width 32): a cell is 7 tokens and the data a few dozen cells.</summary>
    public GptConfig Gpt { get; init; } = GptConfig.Tiny;
    /// <summary>Passes over the rank-weighted cells at each refit (55 sequences at top-k 10: one batch per pass).
    /// The model carries over from refit to refit (fine-tuned, not retrained); Adam restarts each time.</summary>
    public GptTrainingConfig Training { get; init; } = new() { Epochs = 15, BatchSize = 64, LearningRate = 1e-2 };
    /// <summary>Sampling temperature of reconstruction.</summary>
    public double Temperature { get; init; } = 1.0;
}

/// <summary>
/// The GPT of the "no outside knowledge" track: initialised from the run's seeds, it knows nothing of NB201 and is
/// trained only on what <see cref="Nb201OnlinePrior"/> hands it after each generation, the search's best evaluations
/// rank-weighted, then exported as the next generation's next-op table (<see cref="Nb201GptPrior.Export"/>).
/// Deterministic for its seeds on one torch thread.
/// </summary>
public sealed class Nb201OnlineGpt : INb201PriorFitter
{
    private readonly Nb201OnlineGptConfig _config;
    private readonly Seeds _seeds;
    private readonly GptModel _model;
    private int _refits;

    public Nb201OnlineGpt(Nb201OnlineGptConfig config, Seeds seeds)
    {
        (_config, _seeds) = (config, seeds);
        _model = new GptModel(config.Gpt, Nb201GptPrior.VocabularySize, seeds.Derive("init"));
    }

    public Nb201PrefixPrior Fit(IReadOnlyList<Nb201Cell> weighted)
    {
        var training = _config.Training with { Seed = _seeds.Derive($"refit/{_refits++}") };
        using var trainer = new GptTrainer(_model, training);
        trainer.Fit(weighted.Select(Nb201GptPrior.Tokens).ToList());
        return Nb201GptPrior.Export(_model, _config.Temperature);
    }

    public void Dispose() => _model.Dispose();
}
