namespace GptNas.Gpt;

/// <summary>
/// The reserved token ids every vocabulary starts with (the corpus vocabulary assigns them the same
/// way), and the checks and windows the GPT code shares. The GPT code only sees int ids.
/// </summary>
public static class GptTokens
{
    /// <summary>&lt;pad&gt;: fills short windows; never a target, never sampled.</summary>
    public const int Pad = 0;
    /// <summary>&lt;bos&gt;: starts every sequence, so the first layer is predicted too; never sampled.</summary>
    public const int Bos = 1;
    /// <summary>&lt;unk&gt;: a layer unit the vocabulary does not know.</summary>
    public const int Unk = 2;

    /// <summary>Cross-entropy ignores targets with this value (PyTorch's default ignore_index).</summary>
    internal const long Ignore = -100;

    /// <summary>Each sequence with &lt;bos&gt; in front, after checking every id against the vocabulary.</summary>
    internal static int[][] Prefixed(IReadOnlyList<int[]> sequences, int vocabularySize)
    {
        var result = new int[sequences.Count][];
        for (var s = 0; s < sequences.Count; s++)
        {
            var sequence = sequences[s];
            var tokens = new int[sequence.Length + 1];
            tokens[0] = Bos;
            for (var i = 0; i < sequence.Length; i++)
            {
                var id = sequence[i];
                if (id < 0 || id >= vocabularySize)
                    throw new GptNasException($"sequence {s} holds token id {id} at position {i}, outside the vocabulary of {vocabularySize} tokens; encode the corpus with the vocabulary the model was built for");
                tokens[i + 1] = id;
            }
            result[s] = tokens;
        }
        return result;
    }

    /// <summary>Checks a context for a model of <paramref name="vocabularySize"/> tokens.</summary>
    internal static void CheckContext(IReadOnlyList<int> context, int vocabularySize)
    {
        if (context.Count == 0) throw new ArgumentException("the context is empty; start it with <bos> (id 1)", nameof(context));
        foreach (var id in context)
            if (id < 0 || id >= vocabularySize)
                throw new GptNasException($"the context holds token id {id}, outside the vocabulary of {vocabularySize} tokens");
    }
}

/// <summary>
/// A training or evaluation window over one &lt;bos&gt;-prefixed sequence: inputs are tokens
/// [Start, Start + Length), targets the same shifted by one; targets before <see cref="ScoredFrom"/>
/// (relative to Start) are ignored.
/// </summary>
internal readonly record struct TokenWindow(int Sequence, int Start, int Length, int ScoredFrom)
{
    /// <summary>
    /// Windows of length min(context, tokens - 1) sliding with stride 1 (GPT-NAS §4). For training every
    /// position of every window is a target. For evaluation each position of the sequence is scored exactly
    /// once, from its preceding ≤ context tokens: all of the first window, then the last of each later one.
    /// </summary>
    public static List<TokenWindow> Slide(int[][] prefixed, int context, bool evaluation)
    {
        var windows = new List<TokenWindow>();
        for (var s = 0; s < prefixed.Length; s++)
        {
            var length = Math.Min(context, prefixed[s].Length - 1);
            if (length < 1) continue; // an empty sequence: <bos> alone predicts nothing
            for (var start = 0; start + length < prefixed[s].Length; start++)
                windows.Add(new TokenWindow(s, start, length, evaluation && start > 0 ? length - 1 : 0));
        }
        return windows;
    }

    /// <summary>Inputs (padded with &lt;pad&gt;) and targets (padded with ignore) for a batch, both (B, T) row-major.</summary>
    public static (long[] Inputs, long[] Targets, int Time, long Tokens) Batch(int[][] prefixed, IReadOnlyList<TokenWindow> windows, int from, int count)
    {
        var time = 0;
        for (var i = 0; i < count; i++) time = Math.Max(time, windows[from + i].Length);
        var inputs = new long[count * time];
        var targets = new long[count * time];
        Array.Fill(targets, GptTokens.Ignore);
        long tokens = 0;
        for (var i = 0; i < count; i++)
        {
            var w = windows[from + i];
            var tokensOf = prefixed[w.Sequence];
            for (var j = 0; j < w.Length; j++)
            {
                inputs[i * time + j] = tokensOf[w.Start + j];
                if (j >= w.ScoredFrom) targets[i * time + j] = tokensOf[w.Start + j + 1];
            }
            tokens += w.Length;
        }
        return (inputs, targets, time, tokens);
    }
}
