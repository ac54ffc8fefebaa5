using GptNas.Bench;
using GptNas.Gpt;
using GptNas.Spaces.NasBench201;
using TorchSharp;

namespace GptNas.Tests;

/// <summary>The NB201 benchmark's GPT prior: the export is the GPT's own distribution, and a trained prior rebuilds what its corpus holds.</summary>
[Collection(SeededTorchCollection.Name)]
public sealed class Nb201PriorTests : IDisposable
{
    private readonly int _threads = torch.get_num_threads();

    public Nb201PriorTests() => torch.set_num_threads(1); // tiny models: one thread is fastest, and the result must not depend on it

    public void Dispose() => torch.set_num_threads(_threads);

    [Fact]
    public void TheExportedTableIsTheSamplersDistributionOverTheFiveOps()
    {
        using var model = new GptModel(GptConfig.Tiny, Nb201GptPrior.VocabularySize, seed: 3);
        var prior = Nb201GptPrior.Export(model, temperature: 0.7);
        var sampler = new GptSampler(model, 0);
        var allowed = Enumerable.Range(0, Nb201GptPrior.VocabularySize).Select(id => id >= Nb201GptPrior.FirstOpToken).ToArray();
        int[][] prefixes = [[], [3], [0, 4], [1, 2, 3], [4, 4, 4, 4], [0, 1, 2, 3, 4]];
        foreach (var prefix in prefixes)
        {
            var context = prefix.Select(op => Nb201GptPrior.FirstOpToken + op).Prepend(GptTokens.Bos).ToList();
            var expected = sampler.NextTokenProbabilities(context, 0.7, allowed).Skip(Nb201GptPrior.FirstOpToken).ToArray();
            var actual = prior.Next(prefix, prefix.Length);
            for (var op = 0; op < 5; op++) Assert.Equal(expected[op], actual[op], 5);
        }
    }

    [Fact]
    public void ATrainedPriorRebuildsTheCorpusPatternAndTheSameSeedGivesTheSamePrior()
    {
        // Corpus: edge e holds op (first + e) % 5, for each first op: the next op is fixed by the previous one.
        var corpus = Enumerable.Range(0, 40).Select(i => new Nb201Cell(Enumerable.Range(0, 6).Select(e => (i % 5 + e) % 5).ToArray())).ToList();
        var config = new Nb201PriorConfig { Training = new GptTrainingConfig { Epochs = 60, BatchSize = 16, LearningRate = 1e-2 } };
        var (prior, report) = Nb201GptPrior.Train(corpus, config, seed: 11);
        Assert.True(report.Loss < 0.4 * report.UniformLoss, $"loss {report.Loss} vs uniform {report.UniformLoss}");
        Assert.Equal(40, report.Sequences);

        var cell = Nb201Cell.Parse("|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|none~2|"); // first op 2
        var random = new Random(0);
        var hits = 0;
        for (var i = 0; i < 20; i++)
        {
            var (rebuilt, predicted) = prior.Rebuild(cell, [1, 2, 3, 4, 5], random);
            Assert.Equal([1, 2, 3, 4, 5], predicted);
            Assert.Equal(2, rebuilt[0]);
            if (rebuilt.Ops.SequenceEqual([2, 3, 4, 0, 1, 2])) hits++;
        }
        Assert.True(hits >= 15, $"{hits} of 20 rebuilt as the corpus continues");

        var (again, _) = Nb201GptPrior.Train(corpus, config, seed: 11);
        for (var p = 0; p < 6; p++)
        {
            var prefix = Enumerable.Range(0, p).Select(e => (1 + e) % 5).ToArray();
            Assert.Equal(prior.Next(prefix, p), again.Next(prefix, p));
        }
    }
}
