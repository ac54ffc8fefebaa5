using GptNas.Architectures;
using GptNas.Gpt;
using Xunit.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace GptNas.Tests;

/// <summary>Dropout draws from torch's global generator: these tests must not share it with other tests running at the same time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeededTorchCollection
{
    public const string Name = "seeded torch";
}

/// <summary>
/// The GPT, its trainer, sampler and checkpoint, the bigram baseline and the block classifier, on tiny
/// synthetic corpora (each test well under a few seconds on 2 CPU cores).
/// </summary>
[Collection(SeededTorchCollection.Name)]
public sealed class GptTests : IDisposable
{
    private const int Vocabulary = 12; // 3 reserved ids + 9 layer tokens
    private const string Hash = "vocab-hash-a";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"gptnas-gpt-tests-{Guid.NewGuid():N}");
    private readonly int _threads = torch.get_num_threads();

    private readonly ITestOutputHelper _output;

    /// <summary>
    /// These models are so small that one thread is fastest; with two, every op waits at an OpenMP barrier,
    /// which on a busy 2-core machine cost 20x. Safe: the collection runs alone, and Dispose restores it.
    /// </summary>
    public GptTests(ITestOutputHelper output)
    {
        _output = output;
        torch.set_num_threads(1);
    }

    public void Dispose()
    {
        torch.set_num_threads(_threads);
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    /// <summary>5 sequences of length 8 over ids 3..11; fully determined once the first token is known.</summary>
    private static int[][] TinyCorpus()
    {
        var random = new Random(5);
        return Enumerable.Range(0, 5).Select(s => Enumerable.Range(0, 8).Select(_ => 3 + random.Next(9)).Prepend(3 + 2 * s).Take(8).ToArray()).ToArray();
    }

    private static GptModel TinyModel(double dropout = 0, long seed = 1) => new(GptConfig.Tiny with { Dropout = dropout }, Vocabulary, seed);

    private static readonly GptTrainingConfig Quick = new() { Epochs = 300, LearningRate = 3e-3, Seed = 3 };

    [Fact]
    public void Gpt_overfits_a_tiny_corpus()
    {
        var corpus = TinyCorpus();
        using var trainer = new GptTrainer(TinyModel(), Quick);
        var epochs = trainer.Fit(corpus);
        var evaluation = trainer.Evaluate(corpus);
        _output.WriteLine($"{evaluation}; loss {epochs[0].Loss:F3} -> {epochs[^1].Loss:F3}, {epochs[^1].TokensPerSecond:F0} tokens/s");
        // Only the first token (after <bos>) is ambiguous: 1 of its 5 values can be right, every later position must be.
        Assert.Equal(36.0 / 40, evaluation.Accuracy, 6);
        Assert.Equal(40, evaluation.Positions);
        Assert.True(epochs[^1].Loss < epochs[0].Loss / 5, $"loss {epochs[0].Loss} -> {epochs[^1].Loss}");
        Assert.Equal(300, trainer.Step);
        Assert.True(epochs[^1].TokensPerSecond > 0);
    }

    [Fact]
    public void Evaluation_scores_every_position_once_from_its_last_context_tokens()
    {
        var model = new GptModel(GptConfig.Tiny with { Context = 4 }, Vocabulary, seed: 3); // shorter than the sequences
        var corpus = TinyCorpus();
        var evaluation = GptTrainer.Evaluate(model, corpus, batchSize: 3);
        var sampler = new GptSampler(model, 0);
        double loss = 0;
        int hits = 0, positions = 0;
        foreach (var tokens in corpus.Select(s => s.Prepend(GptTokens.Bos).ToArray()))
            for (var j = 1; j < tokens.Length; j++, positions++)
            {
                var logits = sampler.NextTokenLogits(tokens[..j]); // reads only the last 4
                var max = logits.Max();
                loss += max + Math.Log(logits.Sum(v => Math.Exp(v - max))) - logits[tokens[j]];
                if (Array.IndexOf(logits, max) == tokens[j]) hits++;
            }
        Assert.Equal(positions, evaluation.Positions);
        Assert.Equal(loss / positions, evaluation.Loss, 4);
        Assert.Equal((double)hits / positions, evaluation.Accuracy, 6);
    }

    [Fact]
    public void Same_seed_gives_the_same_training_losses_and_samples()
    {
        var corpus = TinyCorpus();
        var config = Quick with { Epochs = 20 };
        using var first = new GptTrainer(TinyModel(dropout: 0.1), config);
        using var second = new GptTrainer(TinyModel(dropout: 0.1), config);
        var a = first.Fit(corpus).Select(e => e.Loss).ToArray();
        var b = second.Fit(corpus).Select(e => e.Loss).ToArray();
        Assert.Equal(a, b);

        int[] Sample(int seed) => new GptSampler(first.Model, seed).Generate([GptTokens.Bos], 30, SamplingOptions.Default with { Temperature = 1.5 });
        Assert.Equal(Sample(7), Sample(7));
        Assert.NotEqual(Sample(7), Sample(8));
        Assert.Equal(new GptSampler(first.Model, 1).Generate([GptTokens.Bos], 30, SamplingOptions.Default with { Temperature = 1.5 }),
                     new GptSampler(second.Model, 1).Generate([GptTokens.Bos], 30, SamplingOptions.Default with { Temperature = 1.5 }));
    }

    [Fact]
    public void Sampling_with_a_mask_never_produces_a_masked_token()
    {
        var model = TinyModel(seed: 9);
        var sampler = new GptSampler(model, 4);
        var random = new Random(2);
        var overruled = 0;
        for (var trial = 0; trial < 60; trial++)
        {
            var context = Enumerable.Range(0, random.Next(1, 14)).Select(_ => 3 + random.Next(9)).Prepend(GptTokens.Bos).ToArray();
            var allowed = Enumerable.Range(0, Vocabulary).Select(id => id >= 3 && random.NextDouble() < 0.3).ToArray();
            if (!allowed.Contains(true)) allowed[5] = true;
            var greedy = sampler.Next(context, SamplingOptions.GreedyDecoding, allowed);
            var sampled = sampler.Next(context, SamplingOptions.Default with { TopK = 3 }, allowed);
            Assert.True(allowed[greedy], $"greedy produced masked token {greedy}");
            Assert.True(allowed[sampled], $"sampling produced masked token {sampled}");
            // Greedy is the best allowed logit; count how often the mask changed the answer (so the test means something).
            var logits = sampler.NextTokenLogits(context);
            var best = Enumerable.Range(0, Vocabulary).Where(id => allowed[id]).MaxBy(id => logits[id]);
            Assert.Equal(best, greedy);
            if (sampler.Next(context, SamplingOptions.GreedyDecoding) != greedy) overruled++;
        }
        Assert.True(overruled > 10, $"the mask changed only {overruled} of 60 answers");
        Assert.All(sampler.Generate([GptTokens.Bos], 40, SamplingOptions.Default), id => Assert.True(id is not GptTokens.Pad and not GptTokens.Bos));
    }

    public static TheoryData<GptConfig> Variants => new()
    {
        GptConfig.Tiny with { Positions = PositionEncoding.Sinusoidal },
        GptConfig.Tiny with { PreNorm = false },
        GptConfig.Tiny with { TiedHead = false, Bias = false, Dropout = 0.2 },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_config_variant_learns(GptConfig config)
    {
        using var trainer = new GptTrainer(new GptModel(config, Vocabulary, seed: 2), Quick with { Epochs = 30 });
        var epochs = trainer.Fit(TinyCorpus());
        Assert.True(epochs[^1].Loss < epochs[0].Loss * 0.8, $"loss {epochs[0].Loss} -> {epochs[^1].Loss}");
        var path = Path.Combine(_folder, "variant");
        trainer.Save(path, Hash);
        Assert.Equal(config, GptCheckpoint.ReadInfo(path).Config);
        using var x = tensor(new long[] { 1, 4, 6 }, [1, 3]);
        var loaded = GptCheckpoint.Load(path, Vocabulary, Hash, config);
        loaded.eval();
        trainer.Model.eval();
        using var expected = trainer.Model.call(x);
        using var actual = loaded.call(x);
        Assert.True(expected.eq(actual).all().item<bool>());
    }

    [Fact]
    public void Checkpoint_round_trip_gives_identical_outputs_and_resume_equals_one_run()
    {
        var corpus = TinyCorpus();
        var config = Quick with { Epochs = 4, Optimizer = GptOptimizer.AdamW, WeightDecay = 0.01 };
        var path = Path.Combine(_folder, "gpt");
        using (var half = new GptTrainer(TinyModel(dropout: 0.1), config with { Epochs = 2 }))
        {
            half.Fit(corpus);
            half.Save(path, Hash);
        }
        var loaded = GptCheckpoint.Load(path, Vocabulary, Hash, GptConfig.Tiny with { Dropout = 0.1 });
        using var resumed = GptTrainer.Resume(path, Vocabulary, Hash, config);
        Assert.Equal(2, resumed.CompletedEpochs);
        using var x = tensor(new long[] { 1, 3, 5, 7, 9 }, [1, 5]);
        loaded.eval();
        resumed.Model.eval();
        using (var expected = resumed.Model.call(x))
        using (var actual = loaded.call(x))
            Assert.True(expected.eq(actual).all().item<bool>());

        var rest = resumed.Fit(corpus).Select(e => e.Loss);
        using var straight = new GptTrainer(TinyModel(dropout: 0.1), config);
        Assert.Equal(straight.Fit(corpus).Skip(2).Select(e => e.Loss), rest);
        Assert.Equal(straight.Step, resumed.Step);
    }

    [Fact]
    public void Loading_a_bad_checkpoint_says_what_is_wrong()
    {
        var path = Path.Combine(_folder, "gpt");
        GptCheckpoint.Save(path, TinyModel(), Hash, step: 7);
        Assert.Equal(7, GptCheckpoint.ReadInfo(path).Step);
        _output.WriteLine(File.ReadAllText(Path.Combine(path, "manifest.json")));

        string Refusal(Action load)
        {
            var message = Assert.Throws<GptNasException>(load).Message;
            Assert.DoesNotContain('\n', message);
            return message;
        }
        Assert.Contains("gpt.layers=2 vs 3", Refusal(() => GptCheckpoint.Load(path, Vocabulary, Hash, GptConfig.Tiny with { Layers = 3 })));
        Assert.Contains("vocabulary of 12 tokens (hash vocab-hash-a) but this vocabulary has 13 tokens", Refusal(() => GptCheckpoint.Load(path, 13, Hash)));
        Assert.Contains("but this vocabulary has 12 tokens (hash other)", Refusal(() => GptCheckpoint.Load(path, Vocabulary, "other")));
        Assert.Contains("does not exist", Refusal(() => GptCheckpoint.Load(path + "-missing", Vocabulary, Hash)));

        var weights = Path.Combine(path, "weights.bin");
        var bytes = File.ReadAllBytes(weights);
        bytes[bytes.Length / 2] ^= 0x55;
        File.WriteAllBytes(weights, bytes);
        Assert.Matches("GPT checkpoint '.*' is damaged: weights.bin does not match the checksum", Refusal(() => GptCheckpoint.Load(path, Vocabulary, Hash)));

        File.WriteAllText(Path.Combine(path, "manifest.json"), "{ \"kind\": \"GPT\", \"config\": ");
        Assert.Contains("is damaged: manifest.json is not valid JSON", Refusal(() => GptCheckpoint.Load(path, Vocabulary, Hash)));
    }

    /// <summary>x[t] = f(x[t-2]) (a fixed permutation), 10% noise: the previous token says nothing, the one before says all.</summary>
    private static int[][] SkipCorpus(int count, int seed)
    {
        var random = new Random(seed);
        int[] f = [5, 8, 3, 10, 4, 6, 11, 7, 9]; // f(3 + i) = f[i]
        return Enumerable.Range(0, count).Select(_ =>
        {
            var s = new int[10];
            for (var t = 0; t < s.Length; t++)
                s[t] = t < 2 || random.NextDouble() < 0.1 ? 3 + random.Next(9) : f[s[t - 2] - 3];
            return s;
        }).ToArray();
    }

    [Fact]
    public void Gpt_beats_the_bigram_on_a_skip_dependency()
    {
        var train = SkipCorpus(256, 1);
        var test = SkipCorpus(64, 2);
        var bigram = new BigramModel(Vocabulary).Fit(train).Evaluate(test);
        using var trainer = new GptTrainer(TinyModel(), Quick with { Epochs = 60 });
        trainer.Fit(train);
        var gpt = trainer.Evaluate(test);
        _output.WriteLine($"GPT {gpt}, bigram {bigram}");
        Assert.True(gpt.Accuracy > bigram.Accuracy + 0.3, $"GPT {gpt.Accuracy:F3} vs bigram {bigram.Accuracy:F3}");
        Assert.True(gpt.Perplexity < bigram.Perplexity / 2, $"GPT perplexity {gpt.Perplexity:F2} vs bigram {bigram.Perplexity:F2}");
        Assert.True(bigram.Accuracy < 0.3);
    }

    [Fact]
    public void Block_classifier_beats_the_majority_baseline_and_round_trips()
    {
        BlockKind[] kinds = [BlockKind.BasicBlock, BlockKind.Bottleneck, BlockKind.MaxPool];
        List<BlockExample> Examples(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var context = Enumerable.Range(0, random.Next(1, 12)).Select(_ => 3 + random.Next(9)).ToArray();
                var token = 3 + random.Next(9);
                return new BlockExample(context, token, kinds[(token + context[^1]) % 3]);
            }).ToList();
        }
        var train = Examples(1200, 1);
        var test = Examples(200, 2);
        var config = new BlockClassifierConfig { Epochs = 30, LearningRate = 3e-3, Seed = 4 };
        using var classifier = new BlockClassifier(config, Vocabulary);
        classifier.Fit(train);
        var accuracy = classifier.Evaluate(test);
        var baseline = BlockClassifier.MajorityBaseline(train, test);
        _output.WriteLine($"classifier {accuracy:F3}, majority {baseline:F3}");
        Assert.True(accuracy > baseline + 0.5, $"classifier {accuracy:F3} vs majority {baseline:F3}");
        Assert.Equal(BlockKind.Conv, classifier.Predict([3, 4], 5, [BlockKind.Conv]));

        var path = Path.Combine(_folder, "classifier");
        classifier.Save(path, Hash);
        using var loaded = BlockClassifier.Load(path, Vocabulary, Hash, config);
        Assert.Equal(classifier.Probabilities([3, 4, 5], 6), loaded.Probabilities([3, 4, 5], 6));
        Assert.Contains("was trained on a vocabulary of 12 tokens", Assert.Throws<GptNasException>(() => BlockClassifier.Load(path, 20, Hash)).Message);
        Assert.Contains("classifier.hidden_width=128 vs 64", Assert.Throws<GptNasException>(() => BlockClassifier.Load(path, Vocabulary, Hash, config with { HiddenWidth = 64 })).Message);
        Assert.Contains("holds a block classifier, not a GPT", Assert.Throws<GptNasException>(() => GptCheckpoint.Load(path, Vocabulary, Hash)).Message);
    }
}
