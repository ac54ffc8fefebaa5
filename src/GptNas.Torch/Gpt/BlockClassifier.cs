using GptNas.Architectures;
using GptNas.Networks;
using GptNas.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace GptNas.Gpt;

/// <summary>What a block classifier checkpoint's manifest records (see <see cref="GptCheckpointInfo"/>).</summary>
public sealed record BlockClassifierCheckpointInfo(string Kind, int Format, BlockClassifierConfig Config, int VocabularySize,
    string VocabularyHash, int Epochs, string WeightsSha256, string? Optimizer, string? OptimizerSha256);

/// <summary>
/// The block classifier of GPT-NAS §4-§5: given the layer tokens before a position and the token the GPT
/// predicts there, which of the 15 <see cref="BlockKind"/>s should be built. A small fully connected net over
/// the concatenated embeddings, trained with Adam on examples the caller provides.
/// </summary>
public sealed class BlockClassifier : IDisposable
{
    internal const string Kind = "block classifier";
    private const int Format = 1;

    /// <summary>The number of block kinds (15), the classifier's outputs in <see cref="BlockKind"/> order.</summary>
    public static int KindCount { get; } = Enum.GetValues<BlockKind>().Length;

    private readonly BlockClassifierNet _net;
    private readonly Adam _optimizer;

    /// <summary>The settings that made this classifier.</summary>
    public BlockClassifierConfig Config { get; }

    /// <summary>Token ids the classifier reads.</summary>
    public int VocabularySize { get; }

    /// <summary>Epochs trained, over all fits.</summary>
    public int CompletedEpochs { get; private set; }

    public BlockClassifier(BlockClassifierConfig config, int vocabularySize)
    {
        Config = config.Validate();
        if (vocabularySize < 1) throw new GptNasException($"the vocabulary size is {vocabularySize}; it must be at least 1");
        VocabularySize = vocabularySize;
        _net = new BlockClassifierNet(config, vocabularySize, KindCount);
        _optimizer = new SafeAdam.Adam(_net.parameters(), config.LearningRate);
    }

    /// <summary>Trains <see cref="BlockClassifierConfig.Epochs"/> epochs on <paramref name="examples"/>.</summary>
    /// <returns>Mean training cross-entropy of each epoch.</returns>
    public IReadOnlyList<double> Fit(IReadOnlyList<BlockExample> examples)
    {
        if (examples.Count == 0) throw new GptNasException("the block classifier got no training examples");
        var (contexts, tokens, labels) = Encode(examples);
        using var c = contexts;
        using var t = tokens;
        using var l = labels;
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var losses = new List<double>();
        _net.train();
        for (var e = 0; e < Config.Epochs; e++, CompletedEpochs++)
        {
            var epochSeeds = new Seeds(Config.Seed).Child($"epoch/{CompletedEpochs}");
            epochSeeds.Random("order").Shuffle(order);
            TorchRuntime.SeedDropout(epochSeeds);
            double sum = 0;
            for (var from = 0; from < order.Length; from += Config.BatchSize)
            {
                var count = Math.Min(Config.BatchSize, order.Length - from);
                using var scope = NewDisposeScope();
                var rows = tensor(order.AsSpan(from, count).ToArray().Select(i => (long)i).ToArray());
                var logits = _net.call(contexts.index_select(0, rows), tokens.index_select(0, rows)); // (B, 15)
                var loss = F.cross_entropy(logits, labels.index_select(0, rows));
                _optimizer.zero_grad();
                loss.backward();
                _optimizer.step();
                sum += loss.item<float>() * count;
            }
            losses.Add(sum / order.Length);
        }
        return losses;
    }

    /// <summary>P(kind | context, token), indexed by <see cref="BlockKind"/>.</summary>
    public double[] Probabilities(IReadOnlyList<int> context, int token)
    {
        using var scope = NewDisposeScope();
        var logits = Logits([new BlockExample(context.ToArray(), token, default)]);
        return logits.softmax(1)[0].to(float64).data<double>().ToArray();
    }

    /// <summary>The most probable block kind, only among <paramref name="allowedKinds"/> when given (e.g. the kinds that fit the incoming shape).</summary>
    public BlockKind Predict(IReadOnlyList<int> context, int token, IReadOnlyCollection<BlockKind>? allowedKinds = null)
    {
        if (allowedKinds is { Count: 0 }) throw new ArgumentException("no block kind is allowed; allow at least one", nameof(allowedKinds));
        var probabilities = Probabilities(context, token);
        var best = -1;
        for (var k = 0; k < probabilities.Length; k++)
            if ((allowedKinds is null || allowedKinds.Contains((BlockKind)k)) && (best < 0 || probabilities[k] > probabilities[best])) best = k;
        return (BlockKind)best;
    }

    /// <summary>Top-1 accuracy on <paramref name="examples"/> (no mask).</summary>
    public double Evaluate(IReadOnlyList<BlockExample> examples)
    {
        if (examples.Count == 0) return 0;
        long hits = 0;
        for (var from = 0; from < examples.Count; from += Config.BatchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = examples.Skip(from).Take(Config.BatchSize).ToList();
            var predicted = Logits(chunk).argmax(1).data<long>().ToArray();
            for (var i = 0; i < chunk.Count; i++) if (predicted[i] == (long)chunk[i].Label) hits++;
        }
        return (double)hits / examples.Count;
    }

    /// <summary>The accuracy on <paramref name="test"/> of always answering the most common kind of <paramref name="train"/> (ties: the first kind).</summary>
    public static double MajorityBaseline(IReadOnlyList<BlockExample> train, IReadOnlyList<BlockExample> test)
    {
        if (train.Count == 0 || test.Count == 0) return 0;
        var majority = train.GroupBy(e => e.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        return (double)test.Count(e => e.Label == majority) / test.Count;
    }

    /// <summary>Writes weights, optimizer state, config and the vocabulary's size and hash to a checkpoint folder.</summary>
    public void Save(string path, string vocabularyHash) => CheckpointFolder.Write(path, folder =>
    {
        var weights = Path.Combine(folder, CheckpointFolder.WeightsFile);
        var state = Path.Combine(folder, CheckpointFolder.OptimizerFile);
        _net.save(weights);
        _optimizer.save_state_dict(state);
        CheckpointFolder.WriteManifest(folder, new BlockClassifierCheckpointInfo(Kind, Format, Config, VocabularySize, vocabularyHash,
            CompletedEpochs, CheckpointFolder.Hash(weights), nameof(Adam), CheckpointFolder.Hash(state)));
    });

    /// <summary>
    /// Loads a classifier saved by <see cref="Save"/>, refusing a damaged folder, another vocabulary, or
    /// (when <paramref name="expectedConfig"/> is given) a config that shapes the weights differently.
    /// </summary>
    public static BlockClassifier Load(string path, int vocabularySize, string vocabularyHash, BlockClassifierConfig? expectedConfig = null)
    {
        var info = CheckpointFolder.ReadManifest<BlockClassifierCheckpointInfo>(path, Kind, m => m.Kind);
        if (info.Format != Format || info.Config is null || info.VocabularyHash is null)
            throw CheckpointFolder.Damaged(path, Kind, $"{CheckpointFolder.ManifestFile} is not a format-{Format} manifest");
        CheckpointFolder.CheckVocabulary(path, Kind, info.VocabularySize, info.VocabularyHash, vocabularySize, vocabularyHash);
        if (expectedConfig is not null && info.Config.WeightDifferences(expectedConfig) is { Count: > 0 } differences)
            throw new GptNasException(
                $"block classifier checkpoint '{path}' has another shape than the config asks for ({string.Join(", ", differences)}; checkpoint vs config); " +
                "load it with the checkpoint's config or train a new classifier");
        var classifier = new BlockClassifier(expectedConfig ?? info.Config, info.VocabularySize);
        CheckpointFolder.LoadWeights(classifier._net, path, Kind, info.WeightsSha256);
        var state = CheckpointFolder.Verified(path, Kind, CheckpointFolder.OptimizerFile, info.OptimizerSha256);
        try { classifier._optimizer.load_state_dict(state); }
        catch (Exception e) when (e is not GptNasException)
        {
            throw CheckpointFolder.Damaged(path, Kind, $"{CheckpointFolder.OptimizerFile} does not fit the model ({CheckpointFolder.FirstLine(e)})");
        }
        classifier.CompletedEpochs = info.Epochs;
        return classifier;
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _net.Dispose();
    }

    /// <summary>Logits (B, 15) in eval mode without autograd; the caller's dispose scope owns them.</summary>
    private Tensor Logits(IReadOnlyList<BlockExample> examples)
    {
        var (contexts, tokens, _) = Encode(examples);
        var wasTraining = _net.training;
        _net.eval();
        using var noGrad = no_grad();
        var logits = _net.call(contexts, tokens);
        if (wasTraining) _net.train();
        return logits;
    }

    /// <summary>Contexts (N, context) right-aligned and left-padded with &lt;pad&gt;, tokens (N), labels (N).</summary>
    private (Tensor Contexts, Tensor Tokens, Tensor Labels) Encode(IReadOnlyList<BlockExample> examples)
    {
        var width = Config.Context;
        var contexts = new long[examples.Count * width];
        var tokens = new long[examples.Count];
        var labels = new long[examples.Count];
        for (var i = 0; i < examples.Count; i++)
        {
            var example = examples[i];
            var take = Math.Min(width, example.Context.Length);
            for (var j = 0; j < take; j++)
                contexts[i * width + width - take + j] = CheckId(example.Context[example.Context.Length - take + j], i);
            tokens[i] = CheckId(example.Token, i);
            labels[i] = (long)example.Label;
            if (labels[i] < 0 || labels[i] >= KindCount) throw new GptNasException($"example {i} has block kind {(int)example.Label}, which does not exist");
        }
        return (tensor(contexts, [examples.Count, width]), tensor(tokens), tensor(labels));
    }

    private long CheckId(int id, int example) => id >= 0 && id < VocabularySize ? id
        : throw new GptNasException($"example {example} holds token id {id}, outside the vocabulary of {VocabularySize} tokens");
}

/// <summary>Context embeddings (concatenated) and next-token embedding -> hidden layers -> block-kind logits.</summary>
internal sealed class BlockClassifierNet : Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding context_embedding;
    private readonly Embedding token_embedding;
    private readonly Chain mlp;

    public BlockClassifierNet(BlockClassifierConfig config, int vocabularySize, int kinds) : base("block_classifier")
    {
        context_embedding = Embedding(vocabularySize, config.EmbeddingWidth);
        token_embedding = Embedding(vocabularySize, config.EmbeddingWidth);
        var layers = new List<Module<Tensor, Tensor>>();
        var width = (config.Context + 1) * config.EmbeddingWidth;
        for (var i = 0; i < config.HiddenLayers; i++)
        {
            layers.Add(Linear(width, config.HiddenWidth));
            layers.Add(ReLU(inplace: true));
            layers.Add(Dropout(config.Dropout));
            width = config.HiddenWidth;
        }
        layers.Add(Linear(width, kinds));
        mlp = new Chain(layers.ToArray());
        RegisterComponents();
        Initialize(config.Seed);
    }

    /// <param name="context">(B, context) token ids.</param>
    /// <param name="token">(B) token ids.</param>
    /// <returns>(B, kinds) logits.</returns>
    public override Tensor forward(Tensor context, Tensor token)
    {
        using var c = context_embedding.call(context); // (B, context, E)
        using var flat = c.flatten(1); // (B, context * E)
        using var t = token_embedding.call(token); // (B, E)
        using var features = cat([flat, t], 1); // (B, (context + 1) * E)
        return mlp.call(features); // (B, kinds)
    }

    /// <summary>PyTorch's default ranges (uniform ±1/sqrt(fan_in) for linear layers, normal(0, 1) for embeddings), from a private seeded generator.</summary>
    private void Initialize(long seed)
    {
        using var _ = no_grad();
        using var generator = new Generator((ulong)seed);
        foreach (var module in modules())
        {
            if (module is Linear linear)
            {
                var bound = 1.0 / Math.Sqrt(linear.in_features);
                linear.weight!.uniform_(-bound, bound, generator);
                linear.bias?.uniform_(-bound, bound, generator);
            }
            else if (module is Embedding embedding) embedding.weight!.normal_(0, 1, generator);
        }
    }
}
