using System.Text.Json;
using System.Text.Json.Serialization;

namespace GptNas.Corpora;

/// <summary>
/// What a corpus file holds and how it was made, stored next to it as JSON (<see cref="CorpusFile.ManifestPath"/>).
/// The hashes let a later step refuse a corpus, labels file or vocabulary that does not belong together.
/// </summary>
public sealed record CorpusManifest
{
    public const string CurrentFormat = "gptnas-corpus/2";

    /// <summary>Format tag, <see cref="CurrentFormat"/>.</summary>
    public string Format { get; init; } = CurrentFormat;

    /// <summary>"pretraining" (NAS-Bench-101 cells) or "finetuning" (the reference CNNs).</summary>
    public required string Kind { get; init; }

    /// <summary>Lines of the corpus: one architecture each.</summary>
    public required int Architectures { get; init; }

    /// <summary>Layer tokens over all lines.</summary>
    public required long Tokens { get; init; }

    /// <summary>Distinct tokens in the corpus.</summary>
    public required int DistinctTokens { get; init; }

    /// <summary>Size of the vocabulary of this corpus alone: its distinct tokens plus the 3 reserved ids.</summary>
    public required int VocabularySize { get; init; }

    /// <summary><see cref="Vocabulary.Hash"/> of the vocabulary of this corpus alone.</summary>
    public required string VocabularySha256 { get; init; }

    /// <summary>SHA-256 of the corpus file's bytes.</summary>
    public required string CorpusSha256 { get; init; }

    /// <summary>SHA-256 of the parallel block-kind labels file, when there is one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LabelsSha256 { get; init; }

    /// <summary>The settings that made the corpus, as text, and the SHA-256 of their JSON.</summary>
    public required IReadOnlyDictionary<string, string> Settings { get; init; }
    public required string SettingsSha256 { get; init; }

    /// <summary>What the architectures came from (cell space and accuracy table, or network texts), and the SHA-256 over them.</summary>
    public required IReadOnlyList<string> Sources { get; init; }
    public required string SourcesSha256 { get; init; }

    public string ToJson() => GptNasJson.Serialize(this);

    public static CorpusManifest FromJson(string json, string where)
    {
        CorpusManifest? manifest;
        try { manifest = JsonSerializer.Deserialize<CorpusManifest>(json, GptNasJson.Options); }
        catch (JsonException e) { throw new CorpusException($"manifest '{where}' is not valid: {e.Message}", e); }
        if (manifest is null) throw new CorpusException($"manifest '{where}' is empty");
        if (manifest.Format != CurrentFormat)
            throw new CorpusException($"manifest '{where}' has format '{manifest.Format}'; this version reads '{CurrentFormat}'; rebuild the corpus");
        return manifest;
    }
}
