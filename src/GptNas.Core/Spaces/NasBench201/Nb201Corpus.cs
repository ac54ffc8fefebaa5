namespace GptNas.Spaces.NasBench201;

/// <summary>
/// The prior knowledge the GPT-NAS arms of the benchmark may use: the <c>size</c> cells with the highest
/// ImageNet16-120 12-epoch validation accuracy (<c>imagenet16_valid_acc_12ep</c>; ties by NB201 index). Only that
/// column ranks them and only the cells' ops leave this class, so neither the GPT nor the warm start ever sees a
/// CIFAR number: the search signal and every reported accuracy stay out of the prior.
/// </summary>
public static class Nb201Corpus
{
    /// <summary>The column that ranks the corpus.</summary>
    public const string RankColumn = "imagenet16_valid_acc_12ep";

    public static IReadOnlyList<Nb201Cell> Top(Nb201Table table, int size)
    {
        if (size < 1) throw new GptNasException($"the prior corpus size is {size}; it must be at least 1");
        if (size > table.Records.Count) throw new GptNasException($"the prior corpus wants the top {size} cells but table '{table.Path}' holds {table.Records.Count}");
        return table.Records.OrderByDescending(r => r.ImageNet16Valid12).ThenBy(r => r.Index).Take(size).Select(r => r.Cell).ToList();
    }

    /// <summary><paramref name="count"/> distinct corpus cells drawn uniformly (REA's warm-start population).</summary>
    public static IReadOnlyList<Nb201Cell> Draw(IReadOnlyList<Nb201Cell> corpus, int count, Random random)
    {
        if (count > corpus.Count) throw new GptNasException($"a warm start of {count} cells needs a corpus at least that large, got {corpus.Count}");
        var order = Enumerable.Range(0, corpus.Count).ToArray();
        for (var i = 0; i < count; i++) // partial Fisher-Yates: the first count of a uniform permutation
        {
            var j = random.Next(i, order.Length);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order.Take(count).Select(i => corpus[i]).ToList();
    }
}
