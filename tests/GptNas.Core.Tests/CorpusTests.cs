using System.Globalization;
using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Corpora.NasBench101;

namespace GptNas.Tests;

/// <summary>Corpus files, their manifest and labels, and the two corpus builders.</summary>
public sealed class CorpusTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gptnas-corpus-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Corpus_round_trips_with_manifest_and_labels()
    {
        var networks = new[] { "resnet18", "shufflenet_v2_x0_5", "googlenet" };
        var path = PathOf("finetune.txt");
        var written = networks.Select(n => CorpusBuilder.Labelled(ReferenceNetworks.Build(n, new Shape(3, 32, 32), 10))).ToList();
        using (var writer = new CorpusWriter(path, withLabels: true))
        {
            foreach (var (tokens, labels) in written) writer.Add(tokens, labels);
            var manifest = writer.Complete("finetuning", new Dictionary<string, string> { ["input"] = "32x32x3" }, networks);
            Assert.Equal(3, manifest.Architectures);
            Assert.Equal(written.Sum(w => w.Tokens.Count), manifest.Tokens);
            var vocabulary = Vocabulary.Build(written.SelectMany(w => w.Tokens));
            Assert.Equal(vocabulary.Count, manifest.VocabularySize);
            Assert.Equal(vocabulary.Hash, manifest.VocabularySha256);
        }
        var read = CorpusFile.Read(path).ToList();
        Assert.Equal(written.Select(w => w.Tokens), read);
        Assert.Equal(written.Select(w => w.Labels), CorpusFile.ReadLabels(CorpusFile.LabelsPath(path)).ToList());
        Assert.Equal(CorpusFile.ReadManifest(path), CorpusFile.Verify(path), new ManifestComparer());
        Assert.Equal(CorpusFile.VocabularyOf(path).Hash, CorpusFile.ReadManifest(path).VocabularySha256);

        File.AppendAllText(path, CorpusFile.FormatLine(read[0]) + "\n");
        Assert.Contains("does not match its manifest", Assert.Throws<CorpusException>(() => CorpusFile.Verify(path)).Message);
    }

    [Fact]
    public void Unknown_unit_kind_names_the_line()
    {
        var good = CorpusFile.FormatLine(LayerToken.Encode(ReferenceNetworks.Build("resnet18", new Shape(3, 32, 32), 10)));
        var path = PathOf("bad.txt");
        File.WriteAllText(path, good + "\n" + "conv stage=0 ratio=img kernel=3 stride=1 padding=1 dilation=1 groups=1 bias=0 ; "
                                + "attention stage=0 heads=4\n");
        var error = Assert.Throws<CorpusException>(() => CorpusFile.Read(path).ToList());
        Assert.Contains("bad.txt' line 2: unknown layer category 'attention'", error.Message);
        Assert.Contains("token 2", error.Message);
    }

    [Fact]
    public void Fine_tuning_corpus_labels_every_layer_with_its_block()
    {
        var path = PathOf("finetune.txt");
        var manifest = CorpusBuilder.BuildFineTuning(new FineTuningCorpusOptions { Networks = ["resnet18", "efficientnet_b0"] }, path);
        Assert.Equal(2, manifest.Architectures);
        Assert.NotNull(manifest.LabelsSha256);
        var labels = CorpusFile.ReadLabels(CorpusFile.LabelsPath(path)).ToList();
        var lines = CorpusFile.Read(path).ToList();
        Assert.Equal(lines.Select(l => l.Count), labels.Select(l => l.Count));
        Assert.Equal(new BlockKind?[] { BlockKind.Conv, BlockKind.BatchNorm, BlockKind.ReLU, BlockKind.MaxPool, BlockKind.BasicBlock }, labels[0].Take(5));
        Assert.Equal(new BlockKind?[] { null, null }, labels[0].TakeLast(2));
        Assert.Equal(new BlockKind?[] { null, null, null }, labels[1].TakeLast(3)); // pool, dropout, fc
        Assert.Contains(BlockKind.SqueezeExcitation, labels[1]);
        Assert.Equal("resnet18,efficientnet_b0", manifest.Settings["networks"]);
    }

    [Fact]
    public void Pre_training_corpus_writes_cells_sampled_and_filtered()
    {
        var all = CorpusBuilder.BuildPreTraining(new PreTrainingCorpusOptions { MaxVertices = 4 }, PathOf("all.txt"));
        Assert.Equal(91, all.Architectures);
        Assert.Equal("pretraining", all.Kind);

        var options = new PreTrainingCorpusOptions { MaxVertices = 5, Sample = 12, Seed = 3 };
        var first = CorpusBuilder.BuildPreTraining(options, PathOf("a.txt"));
        var again = CorpusBuilder.BuildPreTraining(options, PathOf("b.txt"));
        Assert.Equal(12, first.Architectures);
        Assert.Equal(first.CorpusSha256, again.CorpusSha256);
        Assert.NotEqual(first.CorpusSha256, CorpusBuilder.BuildPreTraining(options with { Seed = 4 }, PathOf("c.txt")).CorpusSha256);

        // An accuracy table keyed by nasbench hash; accuracies as fractions, so 0.93 is 93%.
        var space = CellEnumerator.Enumerate(4);
        var table = PathOf("acc.csv");
        File.WriteAllLines(table, ["module_hash,val_accuracy",
            $"{space.HashAt(0)},0.93", $"{space.HashAt(5)},0.95", $"{space.HashAt(5)},0.89", $"{space.HashAt(9)},0.80"]);
        var filtered = CorpusBuilder.BuildPreTraining(new PreTrainingCorpusOptions { MaxVertices = 4, AccuracyTable = table }, PathOf("f.txt"));
        Assert.Equal(2, filtered.Architectures); // 93% and the mean 92% stay, 80% goes
        Assert.Contains(filtered.Sources, s => s.StartsWith("accuracy table acc.csv sha256=", StringComparison.Ordinal));
        var expected = NasBench101Skeleton.Tokens(space[0], NasBench101Skeleton.DefaultInput);
        Assert.Equal(expected, CorpusFile.Read(PathOf("f.txt")).First());
    }

    [Fact]
    public void NasLib_table_is_read_by_its_encoding()
    {
        var path = PathOf("naslib.csv");
        File.WriteAllLines(path, ["arch_naslib_encoding,val_accuracy,flops_m",
            "\"(0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 2, 3, 3, 2, 1)\",92.46794581413269,268.1"]);
        var table = AccuracyTable.Load(path);
        Assert.True(table.TryGet("d3ce4b357bab991e98b34e3a8722b3bb", out var accuracy));
        Assert.Equal(92.46794581413269, accuracy, 9);
        File.AppendAllText(path, "\"(0, 1)\",0.5,1\n");
        Assert.Contains("line 3", Assert.Throws<CorpusException>(() => AccuracyTable.Load(path)).Message);
    }

    [Fact]
    public void Sample_indices_are_uniform_distinct_and_seeded()
    {
        var sample = CorpusBuilder.SampleIndices(1000, 100, 42);
        Assert.Equal(100, sample.Distinct().Count());
        Assert.Equal(sample, CorpusBuilder.SampleIndices(1000, 100, 42));
        Assert.InRange(sample.Average(), 400, 600);
        Assert.Equal(Enumerable.Range(0, 10), CorpusBuilder.SampleIndices(10, 10, 1));
    }

    private sealed class ManifestComparer : IEqualityComparer<CorpusManifest>
    {
        public bool Equals(CorpusManifest? a, CorpusManifest? b) => a!.ToJson() == b!.ToJson();
        public int GetHashCode(CorpusManifest m) => m.ToJson().GetHashCode(StringComparison.Ordinal);
    }
}
