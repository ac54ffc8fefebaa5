using System.Collections.Concurrent;
using System.Globalization;
using GptNas.Architectures;
using GptNas.Corpora.NasBench101;

namespace GptNas.Corpora;

/// <summary>Settings of the pre-training corpus (GPT-NAS §4): NAS-Bench-101 cells in the NAS-Bench-101 skeleton.</summary>
public sealed record PreTrainingCorpusOptions
{
    /// <summary>Largest cell, input and output included (nasbench: 7).</summary>
    public int MaxVertices { get; init; } = Cell.MaxVertices;

    /// <summary>Most edges per cell (nasbench: 9).</summary>
    public int MaxEdges { get; init; } = Cell.MaxEdges;

    /// <summary>Keep a uniform random sample of this many cells (after the accuracy filter); null keeps all.</summary>
    public int? Sample { get; init; }

    /// <summary>Seed of the sample.</summary>
    public ulong Seed { get; init; }

    /// <summary>Image size the networks are written at; tokens are relative, so this changes only odd-size rounding.</summary>
    public Shape Input { get; init; } = NasBench101Skeleton.DefaultInput;

    /// <summary>Classes of the fc layer (CIFAR-10, as NAS-Bench-101 trained).</summary>
    public int Classes { get; init; } = 10;

    /// <summary>CSV of validation accuracies per cell (see <see cref="AccuracyTable"/>); null keeps every cell.</summary>
    public string? AccuracyTable { get; init; }

    /// <summary>Column holding the cell's hash (or NASLib encoding); null finds it by its usual names.</summary>
    public string? HashColumn { get; init; }

    /// <summary>Column holding the validation accuracy; null finds it by its usual names.</summary>
    public string? AccuracyColumn { get; init; }

    /// <summary>Keep cells whose validation accuracy in percent is at least this (the paper: 90).</summary>
    public double MinAccuracy { get; init; } = 90;

    /// <summary>Worker threads; null uses every core.</summary>
    public int? Threads { get; init; }
}

/// <summary>Settings of the fine-tuning corpus (GPT-NAS §4): the torchvision reference CNNs, with block labels.</summary>
public sealed record FineTuningCorpusOptions
{
    /// <summary>Networks to write, by torchvision name; default the 36 of <see cref="ReferenceNetworks.Names"/>.</summary>
    public IReadOnlyList<string> Networks { get; init; } = ReferenceNetworks.Names;

    /// <summary>Image size the networks are written at (tokens are relative to it).</summary>
    public Shape Input { get; init; } = new(3, 32, 32);

    /// <summary>Classes of the fc layer.</summary>
    public int Classes { get; init; } = 10;
}

/// <summary>
/// Builds the two corpora of GPT-NAS §4 as corpus files (<see cref="CorpusFile"/>): the pre-training corpus
/// of NAS-Bench-101 cells and the fine-tuning corpus of reference CNNs with its block-kind labels.
/// </summary>
public static class CorpusBuilder
{
    private const int Batch = 2048;

    /// <summary>
    /// Enumerates the cell space, keeps the cells at or above the accuracy threshold when a table is given
    /// (cells the table does not hold are dropped: their accuracy is unknown), then a seeded uniform sample
    /// when asked, and writes each kept cell's network in enumeration order. Returns the manifest.
    /// </summary>
    public static CorpusManifest BuildPreTraining(PreTrainingCorpusOptions options, string corpusPath,
                                                  IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        if (options.Sample is < 1) throw new GptNasException($"the sample must hold at least 1 cell, got {options.Sample}");
        var table = options.AccuracyTable is null ? null : AccuracyTable.Load(options.AccuracyTable, options.HashColumn, options.AccuracyColumn);
        var space = CellEnumerator.Enumerate(options.MaxVertices, options.MaxEdges, options.Threads, hashes: table is not null, cancellation);
        IReadOnlyList<int> kept = Enumerable.Range(0, space.Count).ToArray();
        if (table is not null)
            kept = kept.Where(i => table.TryGet(space.HashAt(i), out var accuracy) && accuracy >= options.MinAccuracy).ToArray();
        if (options.Sample is { } sample && sample < kept.Count)
            kept = SampleIndices(kept.Count, sample, options.Seed).Select(i => kept[i]).ToArray();
        if (kept.Count == 0)
            throw new GptNasException(table is null ? "no cell to write" : $"no cell of the accuracy table reaches {options.MinAccuracy}%; lower the threshold or give a larger table");

        var cache = new ConcurrentDictionary<(LayerUnit, LayerUnit), LayerToken>();
        var parallel = new ParallelOptions { CancellationToken = cancellation, MaxDegreeOfParallelism = options.Threads ?? Environment.ProcessorCount };
        using var writer = new CorpusWriter(corpusPath);
        for (var start = 0; start < kept.Count; start += Batch)
        {
            var lines = new IReadOnlyList<LayerToken>[Math.Min(Batch, kept.Count - start)];
            var offset = start;
            Parallel.For(0, lines.Length, parallel, i => lines[i] = CellTokens(space[kept[offset + i]], options, cache));
            foreach (var line in lines) writer.Add(line);
            progress?.Report((offset + lines.Length, kept.Count));
        }
        var settings = new Dictionary<string, string>
        {
            ["max_vertices"] = Text(options.MaxVertices),
            ["max_edges"] = Text(options.MaxEdges),
            ["sample"] = options.Sample is null ? "all" : Text(options.Sample.Value),
            ["seed"] = Text(options.Seed),
            ["input"] = options.Input.ToString(),
            ["classes"] = Text(options.Classes),
            ["accuracy_table"] = options.AccuracyTable ?? "none",
            ["min_accuracy"] = table is null ? "none" : Text(options.MinAccuracy),
        };
        var sources = new List<string> { $"nasbench101 cells up to {options.MaxVertices} vertices and {options.MaxEdges} edges: {space.Count} unique" };
        if (table is not null) sources.Add($"accuracy table {Path.GetFileName(options.AccuracyTable)} sha256={table.Sha256} cells={table.Count}");
        return writer.Complete("pretraining", settings, sources);
    }

    // The cell's network as tokens; units repeat across cells, so their tokens are cached.
    private static IReadOnlyList<LayerToken> CellTokens(Cell cell, PreTrainingCorpusOptions options, ConcurrentDictionary<(LayerUnit, LayerUnit), LayerToken> cache)
    {
        var units = NasBench101Skeleton.Flatten(cell, options.Input, options.Classes);
        var reference = NasBench101Skeleton.Flatten(cell, new Shape(options.Input.Channels, LayerToken.ReferenceSize, LayerToken.ReferenceSize), options.Classes);
        var baseFactor = LayerToken.BaseFactor(reference, NasBench101Skeleton.StemUnits);
        var tokens = new LayerToken[units.Count];
        tokens[0] = LayerToken.Of(units[0], reference[0], baseFactor, readsImage: true);
        for (var i = 1; i < tokens.Length; i++) tokens[i] = cache.GetOrAdd((units[i], reference[i]), pair => LayerToken.Of(pair.Item1, pair.Item2, baseFactor));
        return tokens;
    }

    /// <summary>
    /// Writes each reference network at the given input size, and in the labels file the block kind of
    /// each of its layers (from <see cref="Architecture.Flatten(out IReadOnlyList{ValueTuple{Block, bool, int}})"/>;
    /// <c>-</c> for the head). Returns the manifest.
    /// </summary>
    public static CorpusManifest BuildFineTuning(FineTuningCorpusOptions options, string corpusPath)
    {
        if (options.Networks.Count == 0) throw new GptNasException("name at least one network for the fine-tuning corpus");
        var sources = new List<string>();
        using var writer = new CorpusWriter(corpusPath, withLabels: true);
        foreach (var name in options.Networks)
        {
            var architecture = ArchitectureCatalog.Build(name, options.Input, options.Classes);
            var (tokens, labels) = Labelled(architecture);
            writer.Add(tokens, labels);
            sources.Add($"{name} {options.Input} classes={options.Classes} hash={architecture.Hash}");
        }
        var settings = new Dictionary<string, string>
        {
            ["networks"] = string.Join(",", options.Networks),
            ["input"] = options.Input.ToString(),
            ["classes"] = Text(options.Classes),
        };
        return writer.Complete("finetuning", settings, sources);
    }

    /// <summary>The architecture's tokens and, for each, the kind of the block it belongs to (null for the head).</summary>
    public static (IReadOnlyList<LayerToken> Tokens, IReadOnlyList<BlockKind?> Labels) Labelled(Architecture architecture)
    {
        var units = architecture.Flatten(out var spans);
        var tokens = LayerToken.Encode(architecture);
        // The head (global pooling, dropout, fc) follows the last block.
        var headStart = units.Count - architecture.HeadUnits;
        var labels = new BlockKind?[units.Count];
        for (var s = 0; s < spans.Count; s++)
        {
            var end = s + 1 < spans.Count ? spans[s + 1].FirstUnit : headStart;
            for (var u = spans[s].FirstUnit; u < end; u++) labels[u] = spans[s].Block.Kind;
        }
        return (tokens, labels);
    }

    /// <summary>A uniform sample of <paramref name="count"/> distinct indices of 0..population-1, sorted; the same for the same seed.</summary>
    public static int[] SampleIndices(int population, int count, ulong seed)
    {
        if (count > population) throw new ArgumentOutOfRangeException(nameof(count), count, $"cannot sample more than {population}");
        var indices = Enumerable.Range(0, population).ToArray();
        var random = new SplitMix64(seed);
        // Partial Fisher-Yates with SplitMix64: a generator whose sequence no runtime version changes.
        for (var i = 0; i < count; i++)
        {
            var j = i + (int)(random.Next() % (ulong)(population - i));
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        var sample = indices[..count];
        Array.Sort(sample);
        return sample;
    }

    private static string Text(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
