using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using GptNas.Architectures;

namespace GptNas.Corpora;

/// <summary>
/// Ids for the distinct layer tokens of the corpora (GPT-NAS §3), after three reserved ids: <c>&lt;pad&gt;</c> 0,
/// <c>&lt;bos&gt;</c> 1, <c>&lt;unk&gt;</c> 2. Tokens are sorted (ordinal), so the same token set always gives the
/// same ids and the same <see cref="Hash"/>. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Unknown tokens at inference (<see cref="Encode(LayerToken)"/>) map to the nearest known token of the
/// same kind: same category and, for conv, the same kernel and stride; for pool, the same type, kernel
/// and stride; for other, the same name; any fc. Among those, the smallest distance wins, where the
/// distance adds the octaves between the channel ratios, the stages apart (8 for a pooled map against a
/// spatial one), and 1 for each differing grouping, padding, dilation, bias or value (lowest id on a tie).
/// With no candidate the token is <c>&lt;unk&gt;</c>. <see cref="IsExact"/> tells whether a token needs no fallback.
/// File form: a header <c># gptnas vocabulary v2 tokens=N sha256=H</c>, then one token per line in id
/// order, reserved ones first; H is the SHA-256 of those lines joined by '\n'.
/// </remarks>
public sealed class Vocabulary
{
    public const int BosId = 1;
    public const int UnkId = 2;
    public const string Pad = "<pad>";
    public const string Bos = "<bos>";
    public const string Unk = "<unk>";
    private const string Header = "# gptnas vocabulary v2";

    private readonly string[] _texts;
    private readonly LayerToken?[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly ConcurrentDictionary<string, int> _fallbacks = new(StringComparer.Ordinal);

    private Vocabulary(IReadOnlyList<LayerToken> sortedTokens)
    {
        _texts = [Pad, Bos, Unk, .. sortedTokens.Select(t => t.Text)];
        _tokens = [null, null, null, .. sortedTokens];
        _ids = new Dictionary<string, int>(_texts.Length, StringComparer.Ordinal);
        for (var id = 0; id < _texts.Length; id++) _ids[_texts[id]] = id;
        Hash = HashOf(_texts);
    }

    /// <summary>Ids in use, reserved ones included.</summary>
    public int Count => _texts.Length;

    /// <summary>SHA-256 (hex) of the token lines: what a corpus manifest or a model records to be sure it gets this vocabulary.</summary>
    public string Hash { get; }

    /// <summary>The text of an id: a token's text or a reserved name.</summary>
    public string this[int id] => _texts[id];

    /// <summary>The token of an id; null for the reserved ids.</summary>
    public LayerToken? TokenAt(int id) => _tokens[id];

    /// <summary>A vocabulary of the distinct tokens given.</summary>
    public static Vocabulary Build(IEnumerable<LayerToken> tokens) =>
        new(tokens.Distinct().OrderBy(t => t.Text, StringComparer.Ordinal).ToArray());

    public bool TryGetId(LayerToken token, out int id) => _ids.TryGetValue(token.Text, out id);

    /// <summary>True when <paramref name="token"/> is in the vocabulary itself, not encoded through a fallback.</summary>
    public bool IsExact(LayerToken token) => _ids.ContainsKey(token.Text);

    /// <summary>The token's id; an unknown token gets its nearest known token's id, or <see cref="UnkId"/> (see remarks).</summary>
    public int Encode(LayerToken token) =>
        _ids.TryGetValue(token.Text, out var id) ? id : _fallbacks.GetOrAdd(token.Text, _ => Nearest(token));

    public int[] Encode(IEnumerable<LayerToken> tokens) => tokens.Select(Encode).ToArray();

    private int Nearest(LayerToken token)
    {
        var best = UnkId;
        var bestDistance = double.MaxValue;
        for (var id = 3; id < _tokens.Length; id++)
        {
            var known = _tokens[id]!;
            if (!SameKind(token, known)) continue;
            var distance = Distance(token, known);
            if (distance < bestDistance) { best = id; bestDistance = distance; }
        }
        return best;
    }

    private static bool SameKind(LayerToken a, LayerToken b) => a.Category == b.Category && a.Category switch
    {
        LayerCategory.Conv => a.Kernel == b.Kernel && a.Stride == b.Stride,
        LayerCategory.Pool => a.Pool == b.Pool && a.Kernel == b.Kernel && a.Stride == b.Stride,
        LayerCategory.Other => a.Name == b.Name,
        _ => true,
    };

    private static double Distance(LayerToken a, LayerToken b) =>
        Steps(a.Ratio, b.Ratio) / 2.0 + (a.IsGlobal == b.IsGlobal ? Math.Abs(a.IsGlobal ? 0 : a.Stage - b.Stage) : 8)
        + (a.Groups != b.Groups ? 1 : 0) + (a.Padding != b.Padding ? 1 : 0) + (a.Dilation != b.Dilation ? 1 : 0)
        + (a.Bias != b.Bias ? 1 : 0) + (a.Value.Equals(b.Value) ? 0 : 1);

    // Half-octaves apart; the image-reading ratio is far from every other.
    private static double Steps(int? a, int? b) => a is { } x && b is { } y ? Math.Abs(x - y) : a == b ? 0 : 16;

    private static string HashOf(IEnumerable<string> lines) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));

    public void Save(string path)
    {
        var text = new StringBuilder();
        text.Append(Header).Append(" tokens=").Append(Count).Append(" sha256=").Append(Hash).Append('\n');
        foreach (var line in _texts) text.Append(line).Append('\n');
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>
    /// Reads a vocabulary file, checking its content against its own header and, when given, against
    /// <paramref name="expectedHash"/> (the hash a corpus manifest or a model recorded).
    /// </summary>
    public static Vocabulary Load(string path, string? expectedHash = null)
    {
        if (!File.Exists(path)) throw new CorpusException($"vocabulary file '{path}' does not exist; build one from the corpora first");
        var lines = File.ReadAllLines(path);
        var header = lines.Length > 0 ? lines[0] : "";
        var fields = header.StartsWith(Header + " ", StringComparison.Ordinal)
            ? header[(Header.Length + 1)..].Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1])
            : throw new CorpusException($"'{path}' line 1: not a gptnas vocabulary file (expected a header '{Header} tokens=N sha256=H')");
        if (!fields.TryGetValue("sha256", out var stated) || !fields.TryGetValue("tokens", out var countText) || !int.TryParse(countText, out var count))
            throw new CorpusException($"'{path}' line 1: the header must give tokens=N and sha256=H");
        var entries = lines.Skip(1).ToArray();
        if (entries.Length > 0 && entries[^1].Length == 0 && entries.Length == count + 1) entries = entries[..^1];
        var actual = HashOf(entries);
        if (actual != stated || entries.Length != count)
            throw new CorpusException($"vocabulary file '{path}' does not match its header: its {entries.Length} tokens hash to {actual[..12]}…, the header says {count} tokens hashing to {stated[..Math.Min(12, stated.Length)]}…; it was edited or damaged, so rebuild it from the corpora");
        if (expectedHash is not null && !string.Equals(actual, expectedHash, StringComparison.OrdinalIgnoreCase))
            throw new CorpusException($"vocabulary file '{path}' (sha256 {actual[..12]}…) is not the vocabulary this corpus or model was built with (sha256 {expectedHash[..Math.Min(12, expectedHash.Length)]}…); use the vocabulary file saved with it");
        if (entries.Length < 3 || entries[0] != Pad || entries[1] != Bos || entries[2] != Unk)
            throw new CorpusException($"vocabulary file '{path}': lines 2-4 must be the reserved tokens {Pad}, {Bos}, {Unk}");
        var tokens = new LayerToken[entries.Length - 3];
        for (var i = 0; i < tokens.Length; i++)
        {
            try { tokens[i] = LayerToken.Parse(entries[i + 3], i + 5); }
            catch (ArchitectureException e) { throw new CorpusException($"vocabulary file '{path}' {e.Message}", e); }
        }
        for (var i = 1; i < tokens.Length; i++)
            if (string.CompareOrdinal(tokens[i - 1].Text, tokens[i].Text) >= 0)
                throw new CorpusException($"vocabulary file '{path}' line {i + 5}: tokens must be distinct and sorted; rebuild the file");
        return new Vocabulary(tokens);
    }
}
