namespace GptNas.Gpt;

/// <summary>
/// The baseline the GPT must beat: P(next | previous) from counts over &lt;bos&gt;-prefixed sequences with
/// add-k smoothing, (count(a, b) + k) / (count(a) + k * V). Evaluated exactly like the GPT
/// (<see cref="GptTrainer.Evaluate(IReadOnlyList{int[]})"/>): every position, the first from &lt;bos&gt;.
/// </summary>
public sealed class BigramModel
{
    private readonly long[,] _pairs;
    private readonly long[] _totals;

    /// <summary>Token ids the model knows.</summary>
    public int VocabularySize { get; }

    /// <summary>The k of add-k smoothing.</summary>
    public double Smoothing { get; }

    /// <param name="smoothing">Added to every pair count (1 = Laplace); must be positive so no probability is 0.</param>
    public BigramModel(int vocabularySize, double smoothing = 0.1)
    {
        if (vocabularySize < 1) throw new GptNasException($"the vocabulary size is {vocabularySize}; it must be at least 1");
        if (!(smoothing > 0)) throw new GptNasException($"the bigram smoothing is {smoothing}; it must be positive");
        VocabularySize = vocabularySize;
        Smoothing = smoothing;
        _pairs = new long[vocabularySize, vocabularySize];
        _totals = new long[vocabularySize];
    }

    /// <summary>Adds the pairs of <paramref name="sequences"/> (without &lt;bos&gt;; it is added here) to the counts.</summary>
    public BigramModel Fit(IReadOnlyList<int[]> sequences)
    {
        foreach (var tokens in GptTokens.Prefixed(sequences, VocabularySize))
            for (var i = 1; i < tokens.Length; i++)
            {
                _pairs[tokens[i - 1], tokens[i]]++;
                _totals[tokens[i - 1]]++;
            }
        return this;
    }

    /// <summary>Smoothed P(next | previous).</summary>
    public double Probability(int previous, int next) =>
        (_pairs[previous, next] + Smoothing) / (_totals[previous] + Smoothing * VocabularySize);

    /// <summary>The most frequent follower of <paramref name="previous"/> (ties: the lowest id).</summary>
    public int Predict(int previous)
    {
        var best = 0;
        for (var next = 1; next < VocabularySize; next++)
            if (_pairs[previous, next] > _pairs[previous, best]) best = next;
        return best;
    }

    /// <summary>Next-token top-1 accuracy and perplexity over every position of <paramref name="sequences"/>.</summary>
    public NextTokenEvaluation Evaluate(IReadOnlyList<int[]> sequences)
    {
        double lossSum = 0;
        long hits = 0, positions = 0;
        foreach (var tokens in GptTokens.Prefixed(sequences, VocabularySize))
            for (var i = 1; i < tokens.Length; i++)
            {
                lossSum -= Math.Log(Probability(tokens[i - 1], tokens[i]));
                if (Predict(tokens[i - 1]) == tokens[i]) hits++;
                positions++;
            }
        if (positions == 0) return new NextTokenEvaluation(0, double.NaN, double.NaN, 0);
        var loss = lossSum / positions;
        return new NextTokenEvaluation((double)hits / positions, Math.Exp(loss), loss, positions);
    }
}
