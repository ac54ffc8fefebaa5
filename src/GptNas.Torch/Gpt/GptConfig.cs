namespace GptNas.Gpt;

/// <summary>How the GPT adds position information to its token embeddings.</summary>
public enum PositionEncoding
{
    /// <summary>A trained embedding per position (GPT-2, nanoGPT). The GPT-NAS default (§4).</summary>
    Learned,
    /// <summary>The fixed sines and cosines of "Attention Is All You Need"; no parameters.</summary>
    Sinusoidal,
}

/// <summary>
/// The shape of the GPT that predicts the next layer token (GPT-NAS §4). The paper fixes 4 layers, 4 heads
/// and a context of 10 tokens; width, dropout, position encoding and norm placement are left open and
/// default to d_model 128, dropout 0.1, learned positions, pre-norm. The vocabulary size is not part of
/// the config: it comes from the corpus and is passed to <see cref="GptModel"/> next to the config.
/// </summary>
public sealed record GptConfig
{
    /// <summary>Transformer blocks (§4: 4).</summary>
    public int Layers { get; init; } = 4;
    /// <summary>Attention heads per block (§4: 4); must divide <see cref="Width"/>.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>Longest context in tokens (§4: 10 layer tokens); also the training window length.</summary>
    public int Context { get; init; } = 10;
    /// <summary>d_model: the width of the residual stream and of each embedding (open in the paper: 128).</summary>
    public int Width { get; init; } = 128;
    /// <summary>Dropout on embeddings, attention weights and residual branches (open in the paper: 0.1).
    /// Does not shape the weights, so a checkpoint may be loaded with another value.</summary>
    public double Dropout { get; init; } = 0.1;
    /// <summary>Learned or sinusoidal positions (open in the paper: learned).</summary>
    public PositionEncoding Positions { get; init; } = PositionEncoding.Learned;
    /// <summary>LayerNorm before each sub-layer (GPT-2) when true, after the residual sum (original
    /// Transformer) when false (open in the paper: pre-norm). Only pre-norm has a final LayerNorm.</summary>
    public bool PreNorm { get; init; } = true;
    /// <summary>The output head reuses the token embedding matrix (GPT-2, nanoGPT) when true; a separate
    /// bias-free linear layer when false.</summary>
    public bool TiedHead { get; init; } = true;
    /// <summary>Biases in the linear layers and LayerNorms.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>GPT-NAS §4 as written: 4 layers, 4 heads, context 10, d_model 128.</summary>
    public static GptConfig Paper { get; } = new();

    /// <summary>A quarter of the paper's width and half its depth, for quick CPU runs.</summary>
    public static GptConfig Nano { get; } = new() { Layers = 2, Heads = 2, Width = 64 };

    /// <summary>The smallest useful GPT, for tests.</summary>
    public static GptConfig Tiny { get; } = new() { Layers = 2, Heads = 2, Width = 32, Dropout = 0 };

    /// <summary>The names <see cref="Preset"/> accepts.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["paper", "nano", "tiny"];

    /// <summary>A preset by name (case-insensitive).</summary>
    public static GptConfig Preset(string name) => name.ToLowerInvariant() switch
    {
        "paper" => Paper,
        "nano" => Nano,
        "tiny" => Tiny,
        _ => throw new GptNasException($"unknown GPT preset '{name}'; use one of: {string.Join(", ", PresetNames)}"),
    };

    /// <summary>Throws a <see cref="GptNasException"/> naming the first impossible setting.</summary>
    public GptConfig Validate()
    {
        if (Layers < 1) throw new GptNasException($"gpt.layers is {Layers}; it must be at least 1");
        if (Heads < 1) throw new GptNasException($"gpt.heads is {Heads}; it must be at least 1");
        if (Context < 1) throw new GptNasException($"gpt.context is {Context}; it must be at least 1");
        if (Width < 1 || Width % Heads != 0)
            throw new GptNasException($"gpt.width is {Width}; it must be a positive multiple of gpt.heads ({Heads})");
        if (Positions == PositionEncoding.Sinusoidal && Width % 2 != 0)
            throw new GptNasException($"gpt.width is {Width}; sinusoidal positions need an even width");
        if (Dropout is < 0 or >= 1) throw new GptNasException($"gpt.dropout is {Dropout}; it must be in [0, 1)");
        return this;
    }

    /// <summary>
    /// The settings that shape the weights and differ between the two configs, as "gpt.layers=4 vs 6"
    /// items; empty when a checkpoint made with one fits a model made with the other. Dropout is ignored.
    /// </summary>
    public IReadOnlyList<string> WeightDifferences(GptConfig other)
    {
        var differences = new List<string>();
        void Compare<T>(string key, T mine, T theirs)
        {
            if (!EqualityComparer<T>.Default.Equals(mine, theirs)) differences.Add($"gpt.{key}={mine} vs {theirs}");
        }
        Compare("layers", Layers, other.Layers);
        Compare("heads", Heads, other.Heads);
        Compare("context", Context, other.Context);
        Compare("width", Width, other.Width);
        Compare("positions", Positions, other.Positions);
        Compare("pre_norm", PreNorm, other.PreNorm);
        Compare("tied_head", TiedHead, other.TiedHead);
        Compare("bias", Bias, other.Bias);
        return differences;
    }
}
