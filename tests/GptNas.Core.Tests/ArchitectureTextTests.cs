using GptNas.Architectures;
using GptNas.Corpora;

namespace GptNas.Tests;

/// <summary>The text forms of GPT-NAS §3: exact round trips, and literal texts that must be rejected with a message.</summary>
public class ArchitectureTextTests
{
    public static TheoryData<string> AllNames => new(ArchitectureCatalog.Names);

    private static Architecture BuildAny(string name) =>
        ArchitectureCatalog.Build(name, ReferenceNetworks.Contains(name) ? new Shape(3, 224, 224) : new Shape(1, 28, 28),
                                  ReferenceNetworks.Contains(name) ? 1000 : 10);

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Canonical_text_round_trips_exactly(string name)
    {
        var arch = BuildAny(name);
        var parsed = Architecture.Parse(arch.Canonical);
        Assert.Equal(arch, parsed);
        Assert.Equal(arch.Canonical, parsed.Canonical);
        Assert.Equal(arch.Hash, parsed.Hash);
        Assert.Equal(arch.AllBlocks, parsed.AllBlocks);
        Assert.Equal(arch.Dropout, parsed.Dropout);
    }

    [Theory]
    [InlineData("resnet50")]
    [InlineData("efficientnet_b0")]
    public void Every_layer_unit_round_trips(string name)
    {
        var units = ReferenceNetworks.Build(name, new Shape(3, 224, 224), 1000).Flatten();
        Assert.NotEmpty(units);
        for (var i = 0; i < units.Count; i++)
        {
            var text = units[i].ToString();
            var parsed = LayerUnit.Parse(text, i + 1);
            Assert.Equal(units[i], parsed);
            Assert.Equal(text, parsed.ToString());
        }
    }

    [Fact]
    public void Comments_and_blank_lines_are_ignored()
    {
        var arch = SmallNetworks.Build("resnet8", new Shape(3, 32, 32), 10);
        var commented = "# resnet8\n\n" + arch.Canonical.Replace("head", "   # the classifier\nhead");
        Assert.Equal(arch, Architecture.Parse(commented));
    }

    [Theory]
    [InlineData("input 32x32x3\nclasses 10\nblock BasicBlock out=abc\n", "line 3: field 'out' must be an integer, got 'abc'")]
    [InlineData("input 32x32x3\nclasses 10\nblock BasicBlock stride=2\n", "line 3: BasicBlock needs field 'out'")]
    [InlineData("input 32x32x3\nclasses 10\nblock BasicBlock out=16 strde=2\n", "line 3: unknown field 'strde' for 'BasicBlock'")]
    [InlineData("input 32x32x3\nclasses 10\nblock BasicBlock out=0\n", "line 3: field 'out' must be at least 1, got 0")]
    [InlineData("input 32x32x3\nclasses 10\nblock ConvNormActivation out=8 act=tanh\n", "line 3: field 'act' must be one of relu, silu, gelu, none, got 'tanh'")]
    [InlineData("input 32x32\nclasses 10\n", "line 1: 'input' must be a size HxWxC")]
    [InlineData("input 32x32x3\nclasses ten\n", "line 2: 'classes' must be a positive integer, got 'ten'")]
    [InlineData("input 32x32x3\n", "missing 'classes N' line")]
    [InlineData("input 32x32x3\nclasses 10\nlayer conv\n", "line 3: unknown item 'layer'")]
    [InlineData("input 32x32x3\nclasses 10\nhead dropout=1.5\n", "line 3: field 'dropout' must be in 0..0.999, got 1.5")]
    public void Malformed_text_is_rejected_naming_line_and_field(string text, string message)
    {
        var error = Assert.Throws<ArchitectureException>(() => Architecture.Parse(text));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Unknown_block_kind_is_named_and_known_kinds_listed()
    {
        var error = Assert.Throws<ArchitectureException>(() => Architecture.Parse("input 32x32x3\nclasses 10\nblock FancyBlock out=3\n"));
        Assert.Contains("line 3: unknown block kind 'FancyBlock'", error.Message);
        Assert.Contains("known kinds: ConvNormActivation, SqueezeExcitation, Inception", error.Message);
        Assert.All(Enum.GetNames<BlockKind>(), kind => Assert.Contains(kind, error.Message));
    }

    [Theory]
    // ShuffleNetV2's unit cannot change width at stride 1.
    [InlineData("input 32x32x3\nclasses 10\nstem Conv out=24 kernel=3 stride=1 padding=1 groups=1 bias=0\nblock InvertedResidual out=48 stride=1\n",
                "block 1 (InvertedResidual) on input 32x32x24: with stride 1 the input channels 24 must equal out=48")]
    // Two stride-2 pools shrink 4x4 to 1x1, and a third 3x3 window finds nothing left.
    [InlineData("input 4x4x3\nclasses 10\nblock MaxPool kernel=3 stride=2 padding=0 ceil=0\nblock MaxPool kernel=3 stride=2 padding=0 ceil=0\n",
                "block 2 (MaxPool) on input 1x1x3: a 3x3 window with stride 2 does not fit a 1x1 input")]
    [InlineData("input 32x32x3\nclasses 10\nstem Conv out=16 kernel=3 stride=1 padding=1 groups=4 bias=0\n",
                "stem 1 (Conv) on input 32x32x3: groups=4 must divide both input channels 3 and output channels 16")]
    [InlineData("input 32x32x3\nclasses 10\nblock ResBottleneckBlock out=40 stride=1 group_width=16 bottleneck=1 se=0\n",
                "block 1 (ResBottleneckBlock) on input 32x32x3: bottleneck width 40 is not a multiple of group_width 16")]
    [InlineData("input 8x8x3\nclasses 10\nblock InvertedResidual out=7 stride=2\n",
                "block 1 (InvertedResidual) on input 8x8x3: out=7 must be even")]
    public void Blocks_that_do_not_fit_are_named_by_validate(string text, string message)
    {
        var arch = Architecture.Parse(text);
        Assert.Contains(message, arch.Validate());
        var error = Assert.Throws<ArchitectureException>(() => arch.Flatten());
        Assert.Equal(arch.Validate(), error.Message);
    }

    [Fact]
    public void Hash_is_stable_and_tells_architectures_apart()
    {
        var a = ReferenceNetworks.Build("resnet18", new Shape(3, 32, 32), 10);
        Assert.Equal(a.Hash, ReferenceNetworks.Build("resnet18", new Shape(3, 32, 32), 10).Hash);
        Assert.Equal(a.Hash, Architecture.Parse(a.Canonical).Hash);
        Assert.Matches("^[0-9a-f]{16}$", a.Hash);

        var others = new[]
        {
            ReferenceNetworks.Build("resnet34", new Shape(3, 32, 32), 10),
            ReferenceNetworks.Build("resnet18", new Shape(3, 32, 32), 100),
            ReferenceNetworks.Build("resnet18", new Shape(1, 28, 28), 10),
            a.WithBlocks(a.Blocks.Select((b, i) => i == 0 ? b.With("out", 32) : b)),
        };
        Assert.All(others, o => Assert.NotEqual(a.Hash, o.Hash));
        var hashes = ArchitectureCatalog.Names.Select(n => ArchitectureCatalog.Build(n, new Shape(3, 32, 32), 10).Hash).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }
}
