using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GptNas.Architectures;

namespace GptNas.Corpora;

/// <summary>
/// Writes a corpus file line by line (and optionally its labels file), counting tokens and hashing as it
/// goes, then its manifest on <see cref="Complete"/>. Streaming, so the full NAS-Bench-101 corpus never has
/// to fit in memory. Not thread-safe: one writer per file.
/// </summary>
public sealed class CorpusWriter : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly string _path;
    private readonly StreamWriter _corpus;
    private readonly StreamWriter? _labels;
    private readonly IncrementalHash _corpusHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash? _labelsHash;
    // Tokens usually come from a cache, so most repeats are the same instance: dedupe by reference first.
    private readonly HashSet<LayerToken> _seen = new(ReferenceEqualityComparer.Instance);
    private int _architectures;
    private long _tokens;
    private bool _completed;

    public CorpusWriter(string path, bool withLabels = false)
    {
        _path = path;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        _corpus = new StreamWriter(path, false, Utf8) { NewLine = "\n" };
        if (withLabels)
        {
            _labels = new StreamWriter(CorpusFile.LabelsPath(path), false, Utf8) { NewLine = "\n" };
            _labelsHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
    }

    public int Architectures => _architectures;

    /// <summary>Appends one architecture; <paramref name="labels"/> (one per token) is required when the writer has a labels file.</summary>
    public void Add(IReadOnlyList<LayerToken> tokens, IReadOnlyList<BlockKind?>? labels = null)
    {
        if (tokens.Count == 0) throw new ArgumentException("an architecture has at least one layer", nameof(tokens));
        if ((_labels is null) != (labels is null)) throw new ArgumentException(_labels is null ? "this corpus has no labels file" : "labels are required", nameof(labels));
        if (labels is not null && labels.Count != tokens.Count) throw new ArgumentException($"{labels.Count} labels for {tokens.Count} tokens", nameof(labels));
        foreach (var token in tokens) _seen.Add(token);
        WriteLine(_corpus, _corpusHash, CorpusFile.FormatLine(tokens));
        if (labels is not null) WriteLine(_labels!, _labelsHash!, CorpusFile.FormatLabels(labels));
        _architectures++;
        _tokens += tokens.Count;
    }

    private static void WriteLine(StreamWriter writer, IncrementalHash hash, string line)
    {
        writer.Write(line);
        writer.Write('\n');
        hash.AppendData(Utf8.GetBytes(line));
        hash.AppendData("\n"u8);
    }

    /// <summary>Closes the files and writes the manifest; returns it.</summary>
    public CorpusManifest Complete(string kind, IReadOnlyDictionary<string, string> settings, IReadOnlyList<string> sources)
    {
        if (_completed) throw new InvalidOperationException("the corpus is already complete");
        _completed = true;
        _corpus.Dispose();
        _labels?.Dispose();
        var vocabulary = Vocabulary.Build(_seen);
        var manifest = new CorpusManifest
        {
            Kind = kind,
            Architectures = _architectures,
            Tokens = _tokens,
            DistinctTokens = vocabulary.Count - 3,
            VocabularySize = vocabulary.Count,
            VocabularySha256 = vocabulary.Hash,
            CorpusSha256 = Convert.ToHexStringLower(_corpusHash.GetHashAndReset()),
            LabelsSha256 = _labelsHash is null ? null : Convert.ToHexStringLower(_labelsHash.GetHashAndReset()),
            Settings = settings,
            SettingsSha256 = Sha256(JsonSerializer.Serialize(settings.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary())),
            Sources = sources,
            SourcesSha256 = Sha256(string.Join('\n', sources)),
        };
        File.WriteAllText(CorpusFile.ManifestPath(_path), manifest.ToJson() + "\n");
        return manifest;
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public void Dispose()
    {
        _corpus.Dispose();
        _labels?.Dispose();
        _corpusHash.Dispose();
        _labelsHash?.Dispose();
    }
}
