using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Corpora.NasBench101;

namespace GptNas.Tests;

/// <summary>The vocabulary: ids, its file and hash, and the fallback for unknown tokens.</summary>
public sealed class VocabularyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gptnas-vocab-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static IReadOnlyList<LayerToken> Tokens(string name) => LayerToken.Encode(ReferenceNetworks.Build(name, new Shape(3, 32, 32), 10));

    private static Vocabulary Sample() => Vocabulary.Build(Tokens("resnet18").Concat(Tokens("resnet50"))
        .Concat(NasBench101Skeleton.Tokens(NasBench101CellTests.Inception, NasBench101Skeleton.DefaultInput)));

    [Fact]
    public void Reserved_ids_come_first_and_ids_do_not_depend_on_order()
    {
        var vocabulary = Sample();
        Assert.Equal([Vocabulary.Pad, Vocabulary.Bos, Vocabulary.Unk], new[] { vocabulary[0], vocabulary[1], vocabulary[2] });
        Assert.Null(vocabulary.TokenAt(Vocabulary.UnkId));
        var reversed = Vocabulary.Build(Tokens("resnet50").Reverse().Concat(Tokens("resnet18"))
            .Concat(NasBench101Skeleton.Tokens(NasBench101CellTests.Inception, NasBench101Skeleton.DefaultInput)));
        Assert.Equal(vocabulary.Hash, reversed.Hash);
        Assert.True(vocabulary.TryGetId(Tokens("resnet18")[0], out var id));
        Assert.Equal(Tokens("resnet18")[0], vocabulary.TokenAt(id));
    }

    [Fact]
    public void File_round_trips_with_its_hash()
    {
        var vocabulary = Sample();
        var path = Path.Combine(_folder, "vocab.txt");
        vocabulary.Save(path);
        Assert.StartsWith($"# gptnas vocabulary v2 tokens={vocabulary.Count} sha256={vocabulary.Hash}", File.ReadAllText(path));
        var loaded = Vocabulary.Load(path, vocabulary.Hash);
        Assert.Equal(vocabulary.Count, loaded.Count);
        Assert.Equal(vocabulary.Hash, loaded.Hash);
        Assert.All(Enumerable.Range(0, vocabulary.Count), id => Assert.Equal(vocabulary[id], loaded[id]));
        Assert.Equal(vocabulary.Encode(Tokens("resnet50")), loaded.Encode(Tokens("resnet50")));
    }

    [Fact]
    public void Unknown_token_maps_to_the_nearest_of_its_kind_else_unk()
    {
        var vocabulary = Vocabulary.Build(Tokens("resnet18"));
        // A 3x3 stride-1 conv that widths x1.4 is unknown; resnet18's nearest is the one keeping the width at the same stage.
        var unknown = LayerToken.Parse("conv stage=1 ratio=+1 kernel=3 stride=1 padding=1 dilation=1 groups=1 bias=0");
        Assert.False(vocabulary.TryGetId(unknown, out _));
        Assert.False(vocabulary.IsExact(unknown));
        Assert.Equal("conv stage=1 ratio=0 kernel=3 stride=1 padding=1 dilation=1 groups=1 bias=0", vocabulary[vocabulary.Encode(unknown)]);
        var deeper = LayerToken.Parse("other name=ReLU stage=5 ratio=0 value=0");
        Assert.Equal("other name=ReLU stage=3 ratio=0 value=0", vocabulary[vocabulary.Encode(deeper)]);
        // No 5x5 conv and no GELU anywhere in resnet18.
        Assert.Equal(Vocabulary.UnkId, vocabulary.Encode(LayerToken.Parse("conv stage=0 ratio=0 kernel=5 stride=1 padding=2 dilation=1 groups=1 bias=0")));
        Assert.Equal(Vocabulary.UnkId, vocabulary.Encode(LayerToken.Parse("other name=GELU stage=0 ratio=0 value=0")));
        Assert.True(vocabulary.IsExact(Tokens("resnet18")[5]));
    }

    [Fact]
    public void Edited_or_foreign_vocabulary_files_are_refused()
    {
        var vocabulary = Sample();
        var path = Path.Combine(_folder, "vocab.txt");
        vocabulary.Save(path);
        var other = Vocabulary.Build(Tokens("resnet18"));
        var foreign = Assert.Throws<CorpusException>(() => Vocabulary.Load(path, other.Hash));
        Assert.Contains("is not the vocabulary this corpus or model was built with", foreign.Message);

        var lines = File.ReadAllLines(path);
        (lines[4], lines[5]) = (lines[5], lines[4]); // two tokens swap ids
        File.WriteAllLines(path, lines);
        var edited = Assert.Throws<CorpusException>(() => Vocabulary.Load(path));
        Assert.Contains("does not match its header", edited.Message);
        Assert.Contains("rebuild it", edited.Message);
    }
}
