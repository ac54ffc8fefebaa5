using System.Security.Cryptography;
using GptNas.Architectures;

namespace GptNas.Corpora;

/// <summary>
/// The corpus text format (GPT-NAS §4): one architecture per line, its layer tokens joined by <c> ; </c>;
/// a JSON manifest beside it (<see cref="ManifestPath"/>); for the fine-tuning corpus a parallel labels file
/// (<see cref="LabelsPath"/>) whose line i gives, token by token, the block kind each layer of line i
/// belongs to (<c>-</c> for the head). Written by <see cref="CorpusWriter"/>.
/// </summary>
public static class CorpusFile
{
    public const string Separator = " ; ";

    /// <summary>The label of a layer outside every block (the head: global pooling, dropout, fc).</summary>
    public const string NoBlock = "-";

    /// <summary><c>pretrain.txt</c> -> <c>pretrain.manifest.json</c>.</summary>
    public static string ManifestPath(string corpusPath) => Path.ChangeExtension(corpusPath, ".manifest.json");

    /// <summary><c>finetune.txt</c> -> <c>finetune.labels.txt</c>.</summary>
    public static string LabelsPath(string corpusPath) => Path.ChangeExtension(corpusPath, ".labels.txt");

    public static string FormatLine(IEnumerable<LayerToken> tokens) => string.Join(Separator, tokens.Select(t => t.Text));

    public static string FormatLabels(IEnumerable<BlockKind?> labels) => string.Join(Separator, labels.Select(k => k?.ToString() ?? NoBlock));

    /// <summary>Reads one corpus line; errors name the file, the line and the token.</summary>
    public static IReadOnlyList<LayerToken> ParseLine(string line, int lineNumber, string file = "corpus", Dictionary<string, LayerToken>? cache = null)
    {
        if (string.IsNullOrWhiteSpace(line)) throw new CorpusException($"{file} line {lineNumber}: empty line; every line is one architecture");
        var texts = line.Split(Separator);
        var tokens = new LayerToken[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            if (cache is not null && cache.TryGetValue(texts[i], out var known)) { tokens[i] = known; continue; }
            try { tokens[i] = LayerToken.Parse(texts[i], lineNumber); }
            catch (ArchitectureException e) { throw new CorpusException($"{file} {e.Message} (token {i + 1}: '{texts[i]}')", e); }
            if (cache is not null) cache[texts[i]] = tokens[i];
        }
        return tokens;
    }

    /// <summary>Streams the architectures of a corpus file, one token list per line.</summary>
    public static IEnumerable<IReadOnlyList<LayerToken>> Read(string path)
    {
        if (!File.Exists(path)) throw new CorpusException($"corpus file '{path}' does not exist; build it first");
        return ReadLines(path);
    }

    private static IEnumerable<IReadOnlyList<LayerToken>> ReadLines(string path)
    {
        var cache = new Dictionary<string, LayerToken>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            yield return ParseLine(line, number, $"'{path}'", cache);
        }
    }

    /// <summary>Streams a labels file: per line, the block kind of each layer (null for the head).</summary>
    public static IEnumerable<IReadOnlyList<BlockKind?>> ReadLabels(string path)
    {
        if (!File.Exists(path)) throw new CorpusException($"labels file '{path}' does not exist; build the fine-tuning corpus first");
        return ReadLabelLines(path);
    }

    private static IEnumerable<IReadOnlyList<BlockKind?>> ReadLabelLines(string path)
    {
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            yield return line.Split(Separator).Select(text => text == NoBlock ? (BlockKind?)null
                : Enum.TryParse<BlockKind>(text, out var kind) && Enum.IsDefined(kind) && !char.IsDigit(text[0]) ? kind
                : throw new CorpusException($"'{path}' line {number}: unknown block kind '{text}'; expected one of {string.Join(", ", Enum.GetNames<BlockKind>())} or {NoBlock}")).ToArray();
        }
    }

    public static CorpusManifest ReadManifest(string corpusPath)
    {
        var path = ManifestPath(corpusPath);
        if (!File.Exists(path)) throw new CorpusException($"corpus manifest '{path}' does not exist; rebuild the corpus");
        return CorpusManifest.FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Checks the corpus (and labels) bytes against the manifest's hashes; throws naming the file that changed.</summary>
    public static CorpusManifest Verify(string corpusPath)
    {
        var manifest = ReadManifest(corpusPath);
        if (Sha256Of(corpusPath) != manifest.CorpusSha256)
            throw new CorpusException($"corpus '{corpusPath}' does not match its manifest (sha256 differs); it was changed after it was built, so rebuild it");
        if (manifest.LabelsSha256 is not null && Sha256Of(LabelsPath(corpusPath)) != manifest.LabelsSha256)
            throw new CorpusException($"labels file '{LabelsPath(corpusPath)}' does not match the manifest of '{corpusPath}'; rebuild the corpus");
        return manifest;
    }

    /// <summary>The vocabulary of the distinct tokens of one or more corpus files.</summary>
    public static Vocabulary VocabularyOf(params string[] corpusPaths)
    {
        var tokens = new HashSet<LayerToken>();
        foreach (var path in corpusPaths)
            foreach (var line in Read(path)) tokens.UnionWith(line);
        return Vocabulary.Build(tokens);
    }

    internal static string Sha256Of(string path)
    {
        if (!File.Exists(path)) throw new CorpusException($"'{path}' does not exist");
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
