using GptNas.Architectures;

namespace GptNas.Gpt;

/// <summary>
/// The block classifier ("FCN") of GPT-NAS §4: its size and training are not given in the paper; the
/// defaults are 2 hidden layers of 128 units over embeddings of the last 10 layer tokens and the GPT's
/// predicted next token, trained with Adam.
/// </summary>
public sealed record BlockClassifierConfig
{
    /// <summary>Preceding tokens read (the GPT's context, §4: 10); shorter contexts are left-padded with &lt;pad&gt;.</summary>
    public int Context { get; init; } = 10;
    /// <summary>Width of each token's embedding; the context embeddings are concatenated in position order.</summary>
    public int EmbeddingWidth { get; init; } = 16;
    /// <summary>Hidden fully connected layers (§4 default: 2-3).</summary>
    public int HiddenLayers { get; init; } = 2;
    /// <summary>Units in each hidden layer.</summary>
    public int HiddenWidth { get; init; } = 128;
    /// <summary>Dropout after each hidden layer; does not shape the weights.</summary>
    public double Dropout { get; init; } = 0.1;
    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Passes over the examples per <see cref="BlockClassifier.Fit"/>.</summary>
    public int Epochs { get; init; } = 30;
    /// <summary>Seeds the initialization, example order and dropout.</summary>
    public int Seed { get; init; }

    /// <summary>Throws a <see cref="GptNasException"/> naming the first impossible setting.</summary>
    public BlockClassifierConfig Validate()
    {
        if (Context < 1) throw new GptNasException($"classifier.context is {Context}; it must be at least 1");
        if (EmbeddingWidth < 1) throw new GptNasException($"classifier.embedding_width is {EmbeddingWidth}; it must be at least 1");
        if (HiddenLayers < 1) throw new GptNasException($"classifier.hidden_layers is {HiddenLayers}; it must be at least 1");
        if (HiddenWidth < 1) throw new GptNasException($"classifier.hidden_width is {HiddenWidth}; it must be at least 1");
        if (Dropout is < 0 or >= 1) throw new GptNasException($"classifier.dropout is {Dropout}; it must be in [0, 1)");
        if (!(LearningRate > 0)) throw new GptNasException($"classifier.learning_rate is {LearningRate}; it must be positive");
        if (BatchSize < 1) throw new GptNasException($"classifier.batch_size is {BatchSize}; it must be at least 1");
        if (Epochs < 0) throw new GptNasException($"classifier.epochs is {Epochs}; it must be 0 or more");
        return this;
    }

    /// <summary>Settings that shape the weights and differ, as "classifier.hidden_width=128 vs 64" items.</summary>
    public IReadOnlyList<string> WeightDifferences(BlockClassifierConfig other)
    {
        var differences = new List<string>();
        if (Context != other.Context) differences.Add($"classifier.context={Context} vs {other.Context}");
        if (EmbeddingWidth != other.EmbeddingWidth) differences.Add($"classifier.embedding_width={EmbeddingWidth} vs {other.EmbeddingWidth}");
        if (HiddenLayers != other.HiddenLayers) differences.Add($"classifier.hidden_layers={HiddenLayers} vs {other.HiddenLayers}");
        if (HiddenWidth != other.HiddenWidth) differences.Add($"classifier.hidden_width={HiddenWidth} vs {other.HiddenWidth}");
        return differences;
    }
}

/// <summary>One training example: the layer tokens before a position, the token at it, and the kind of block it belongs to.</summary>
/// <param name="Context">Preceding token ids, oldest first (only the last <see cref="BlockClassifierConfig.Context"/> are read).</param>
/// <param name="Token">The (predicted) next token id.</param>
/// <param name="Label">The block kind the token belongs to.</param>
public sealed record BlockExample(int[] Context, int Token, BlockKind Label);
