using GptNas.Corpora;
using static TorchSharp.torch;

namespace GptNas.Gpt;

/// <summary>How <see cref="GptSampler"/> picks a token from the next-token distribution.</summary>
public sealed record SamplingOptions
{
    /// <summary>Always the most probable allowed token (ties: the lowest id); temperature and top-k are then unused.</summary>
    public bool Greedy { get; init; }
    /// <summary>Divides the logits before the softmax: below 1 sharpens, above 1 flattens. Must be positive.</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Sample only among the k most probable allowed tokens; 0 means all of them.</summary>
    public int TopK { get; init; }

    /// <summary>GPT-NAS §5's default: sample with temperature and top-k.</summary>
    public static SamplingOptions Default { get; } = new() { Temperature = 1.0, TopK = 10 };

    /// <summary>Always the most probable token.</summary>
    public static SamplingOptions GreedyDecoding { get; } = new() { Greedy = true };
}

/// <summary>
/// Next-token proposals from a trained <see cref="GptModel"/> (GPT-NAS §5): the distribution given the last
/// <see cref="GptConfig.Context"/> tokens of a context, and a token drawn from it by temperature, top-k or
/// greedy, optionally only among allowed ids. &lt;pad&gt; and &lt;bos&gt; are never produced. Draws come from
/// the sampler's own seeded <see cref="Random"/>, so the same seed gives the same tokens.
/// </summary>
/// <remarks>Not thread-safe: one sampler per thread.</remarks>
public sealed class GptSampler(GptModel model, int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>The model proposals come from.</summary>
    public GptModel Model { get; } = model;

    /// <summary>
    /// Next-token logits given <paramref name="context"/> (token ids, normally starting with &lt;bos&gt;);
    /// only its last <see cref="GptConfig.Context"/> tokens are read.
    /// </summary>
    public float[] NextTokenLogits(IReadOnlyList<int> context)
    {
        GptTokens.CheckContext(context, Model.VocabularySize);
        var time = Math.Min(context.Count, Model.Config.Context);
        var ids = new long[time];
        for (var i = 0; i < time; i++) ids[i] = context[context.Count - time + i];
        var wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var x = tensor(ids, [1, time]).to(Model.Device); // (1, T)
            var last = Model.call(x)[0, time - 1]; // (V)
            return last.to(float32).cpu().data<float>().ToArray();
        }
        finally
        {
            if (wasTraining) Model.train();
        }
    }

    /// <summary>
    /// The next-token distribution after temperature, restricted to <paramref name="allowed"/> (indexed by
    /// token id; null allows every id except &lt;pad&gt; and &lt;bos&gt;). Disallowed ids get probability 0.
    /// </summary>
    public double[] NextTokenProbabilities(IReadOnlyList<int> context, double temperature = 1.0, IReadOnlyList<bool>? allowed = null) =>
        Softmax(NextTokenLogits(context), Allowed(allowed), temperature);

    /// <summary>Picks the next token after <paramref name="context"/>.</summary>
    /// <param name="allowed">Indexed by token id: only ids marked true may be produced; null allows all but &lt;pad&gt; and &lt;bos&gt;.</param>
    public int Next(IReadOnlyList<int> context, SamplingOptions options, IReadOnlyList<bool>? allowed = null)
    {
        var logits = NextTokenLogits(context);
        var mask = Allowed(allowed);
        if (options.Greedy) return ArgMax(logits, mask);
        if (options.TopK > 0) mask = TopK(logits, mask, options.TopK);
        var probabilities = Softmax(logits, mask, options.Temperature);
        var u = _random.NextDouble();
        var last = -1;
        for (var id = 0; id < probabilities.Length; id++)
        {
            if (probabilities[id] <= 0) continue;
            last = id;
            u -= probabilities[id];
            if (u < 0) return id;
        }
        return last; // rounding left a sliver of u: the last allowed token takes it
    }

    /// <summary>
    /// Extends <paramref name="prompt"/> by <paramref name="count"/> tokens, one <see cref="Next"/> at a time;
    /// <paramref name="allowed"/>, if given, gives the mask for each position from the tokens so far.
    /// </summary>
    /// <returns>The new tokens only.</returns>
    public int[] Generate(IReadOnlyList<int> prompt, int count, SamplingOptions options, Func<IReadOnlyList<int>, IReadOnlyList<bool>?>? allowed = null)
    {
        var tokens = new List<int>(prompt);
        for (var i = 0; i < count; i++) tokens.Add(Next(tokens, options, allowed?.Invoke(tokens)));
        return tokens.Skip(prompt.Count).ToArray();
    }

    private bool[] Allowed(IReadOnlyList<bool>? allowed)
    {
        var size = Model.VocabularySize;
        if (allowed is not null && allowed.Count != size)
            throw new ArgumentException($"the mask has {allowed.Count} entries; it needs one per token id ({size})", nameof(allowed));
        var mask = new bool[size];
        var any = false;
        for (var id = 0; id < size; id++)
        {
            mask[id] = id != GptTokens.Pad && id != GptTokens.Bos && (allowed is null || allowed[id]);
            any |= mask[id];
        }
        if (!any) throw new ArgumentException("the mask allows no token (<pad> and <bos> are never produced); allow at least one", nameof(allowed));
        return mask;
    }

    private static int ArgMax(float[] logits, bool[] mask)
    {
        var best = -1;
        for (var id = 0; id < logits.Length; id++)
            if (mask[id] && (best < 0 || logits[id] > logits[best])) best = id;
        return best;
    }

    /// <summary>Keeps the k allowed ids with the largest logits (ties: lower ids first).</summary>
    private static bool[] TopK(float[] logits, bool[] mask, int k)
    {
        var kept = Enumerable.Range(0, logits.Length).Where(id => mask[id])
            .OrderByDescending(id => logits[id]).ThenBy(id => id).Take(k);
        var result = new bool[mask.Length];
        foreach (var id in kept) result[id] = true;
        return result;
    }

    /// <summary>Probabilities of the <paramref name="mask"/>ed ids (0 elsewhere) at <paramref name="temperature"/>.</summary>
    internal static double[] Softmax(float[] logits, bool[] mask, double temperature)
    {
        if (!(temperature > 0)) throw new ArgumentException($"temperature is {temperature}; it must be positive (use greedy decoding for 0)", nameof(temperature));
        var max = double.NegativeInfinity;
        for (var id = 0; id < logits.Length; id++) if (mask[id]) max = Math.Max(max, logits[id] / temperature);
        var probabilities = new double[logits.Length];
        double sum = 0;
        for (var id = 0; id < logits.Length; id++)
            if (mask[id]) sum += probabilities[id] = Math.Exp(logits[id] / temperature - max);
        for (var id = 0; id < logits.Length; id++) probabilities[id] /= sum;
        return probabilities;
    }

    /// <summary>Tokens drawn one by one after &lt;bos&gt; until one that <paramref name="ends"/> a sequence (such as an fc
    /// layer, the end of every corpus network) or <paramref name="maxLength"/> tokens; &lt;bos&gt; is not returned.</summary>
    public List<int> Generate(SamplingOptions options, int maxLength, Func<int, bool> ends)
    {
        var tokens = new List<int> { Vocabulary.BosId };
        while (tokens.Count <= maxLength)
        {
            var next = Next(tokens, options);
            tokens.Add(next);
            if (ends(next)) break;
        }
        return tokens.Skip(1).ToList();
    }
}
