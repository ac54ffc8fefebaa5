using GptNas.Architectures;

namespace GptNas.Bench;

/// <summary>A training case both sides run: a network from gptnas's catalog on an input shape, or the GPT.</summary>
/// <param name="Network">Catalog name (<see cref="Corpora.ArchitectureCatalog"/>), or "gpt".</param>
/// <param name="Steps">Timed optimizer steps per run.</param>
/// <param name="Warmup">Untimed steps before them.</param>
internal sealed record BenchCase(string Name, string Network, Shape Input, int Steps, int Warmup, string Description)
{
    public const int Classes = 10;
    public const int BatchSize = 128;

    /// <summary>GPT: vocabulary size of the random token data (ids 3..511; 0-2 are gptnas's reserved tokens).</summary>
    public const int GptVocabulary = 512;

    /// <summary>GPT: steps per timed chunk (gptnas's GPT trainer times whole epochs, so an epoch is one chunk).</summary>
    public const int GptChunk = 5;

    public bool IsGpt => Network == "gpt";

    public string Unit => IsGpt ? "tokens/s" : "images/s";

    public static IReadOnlyList<BenchCase> All { get; } =
    [
        new("cnn32", "resnet8w", new Shape(3, 32, 32), 20, 5, "resnet8w (conv stem 32 + BN + ReLU + BasicBlocks 32, 64/2, 128/2) on 3x32x32"),
        new("cnn28", "resnet8w", new Shape(1, 28, 28), 20, 5, "resnet8w on 1x28x28"),
        new("resnet18", "resnet18", new Shape(3, 32, 32), 12, 3, "torchvision resnet18 from the block space on 3x32x32"),
        new("gpt", "gpt", new Shape(1, 1, 10), 60, 10, "GPT 4 layers, 4 heads, d_model 128, context 10, vocabulary 512, AdamW, clip 1.0"),
    ];

    /// <summary>Cases the driver compares by default.</summary>
    public const string DefaultCases = "cnn32,cnn28,resnet18,gpt";

    public static BenchCase Find(string name) =>
        All.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"unknown case '{name}'; known: {string.Join(", ", All.Select(c => c.Name))}, data, rss-loop");
}
