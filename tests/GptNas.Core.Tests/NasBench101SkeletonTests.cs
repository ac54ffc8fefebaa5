using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Corpora.NasBench101;
using static GptNas.Corpora.NasBench101.CellOp;

namespace GptNas.Tests;

/// <summary>The NAS-Bench-101 network around a cell: channels and layers as nasbench's model_builder makes them.</summary>
public class NasBench101SkeletonTests
{
    private static Cell Plain(int[,] matrix)
    {
        var n = matrix.GetLength(0);
        return new Cell(matrix, [Input, .. Enumerable.Repeat(Conv3x3BnRelu, n - 2), Output]);
    }

    // nasbench model_builder_test, compute_vertex_channels(input, output, matrix).
    [Fact]
    public void Vertex_channels_equal_nasbench_compute_vertex_channels()
    {
        var linear = Plain(new[,] { { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 }, { 0, 0, 0, 0 } });
        Assert.Equal([8, 16, 16, 16], NasBench101Skeleton.VertexChannels(linear, 8, 16));
        Assert.Equal([16, 8, 8, 8], NasBench101Skeleton.VertexChannels(linear, 16, 8));
        Assert.Equal([5, 1], NasBench101Skeleton.VertexChannels(new Cell(new[,] { { 0, 1 }, { 0, 0 } }, [Input, Output]), 5, 1));
        var diamond = Plain(new[,] { { 0, 1, 1, 0 }, { 0, 0, 0, 1 }, { 0, 0, 0, 1 }, { 0, 0, 0, 0 } });
        Assert.Equal([8, 4, 4, 8], NasBench101Skeleton.VertexChannels(diamond, 8, 8));
        Assert.Equal([8, 8, 7, 15], NasBench101Skeleton.VertexChannels(diamond, 8, 15));
        var three = Plain(new[,] { { 0, 1, 1, 1, 0 }, { 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 0 } });
        Assert.Equal([8, 3, 3, 2, 8], NasBench101Skeleton.VertexChannels(three, 8, 8));
        Assert.Equal([8, 5, 5, 5, 15], NasBench101Skeleton.VertexChannels(three, 8, 15));
        var max = Plain(new[,] { { 0, 1, 0, 0, 0 }, { 0, 0, 1, 1, 0 }, { 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 0 } });
        Assert.Equal([8, 5, 5, 4, 9], NasBench101Skeleton.VertexChannels(max, 8, 9));
        var skip = Plain(new[,] { { 0, 1, 0, 1, 0 }, { 0, 0, 1, 0, 1 }, { 0, 0, 0, 1, 0 }, { 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 0 } });
        Assert.Equal([8, 8, 7, 7, 15], NasBench101Skeleton.VertexChannels(skip, 8, 15));
    }

    // nasbench's README queries this cell: trainable_parameters 2,694,282. The other three are rows of
    // NASLib's NAS-Bench-101 sample (its 7x7 encodings, params_m 4.095778, 1.749031, 4.518282).
    [Theory]
    [InlineData(null, 2_694_282)]
    [InlineData("(0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 4, 4, 4, 1)", 4_095_778)]
    [InlineData("(0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 2, 3, 3, 2, 1)", 1_749_031)]
    [InlineData("(0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 4, 2, 2, 2, 1)", 4_518_282)]
    public void Parameters_equal_nasbench_trainable_parameters(string? naslib, long expected)
    {
        var cell = naslib is null ? NasBench101CellTests.Inception : AccuracyTable.FromNasLib(naslib);
        Assert.Equal(expected, NasBench101Skeleton.Flatten(cell, NasBench101Skeleton.DefaultInput).Sum(u => u.Parameters));
    }

    [Fact]
    public void Inception_cell_is_written_vertex_by_vertex()
    {
        var units = new List<LayerUnit>();
        var output = NasBench101Skeleton.WriteCell(NasBench101CellTests.Inception, new Shape(128, 32, 32), 128, units);
        Assert.Equal(new Shape(128, 32, 32), output);
        // Output fan-in 4 (vertices 1, 2, 3, 5): 32 channels each; vertex 4 feeds vertex 5 and takes its 32.
        var text = units.Select(u => u.ToString()).ToList();
        Assert.Equal("conv in=32x32x128 out=32x32x32 kernel=1 stride=1 padding=0 dilation=1 groups=1 bias=0", text[0]); // projection to 1
        Assert.Equal("conv in=32x32x32 out=32x32x32 kernel=3 stride=1 padding=1 dilation=1 groups=1 bias=0", text[3]);  // vertex 1
        Assert.Equal("pool type=max in=32x32x32 out=32x32x32 kernel=3 stride=1 padding=1", text[15]);                  // vertex 3
        Assert.Equal("other name=concat in=32x32x32 out=32x32x128 value=0", text[^1]);
        Assert.Equal(26, units.Count); // 4 projections, 4 convs and a pool (3 + 3 + 3 + 1 units each), the concat
        Assert.Equal(4, units.Count(u => u.Category == LayerCategory.Conv && u.In.Channels == 128));
    }

    [Fact]
    public void Skeleton_has_stem_three_stacks_and_head()
    {
        var units = NasBench101Skeleton.Flatten(NasBench101CellTests.Inception, NasBench101Skeleton.DefaultInput);
        Assert.Equal("conv in=32x32x3 out=32x32x128 kernel=3 stride=1 padding=1 dilation=1 groups=1 bias=0", units[0].ToString());
        var downsampling = units.Where(u => u.Category == LayerCategory.Pool && u.Stride == 2).Select(u => u.ToString()).ToList();
        Assert.Equal(["pool type=max in=32x32x128 out=16x16x128 kernel=2 stride=2 padding=0",
                      "pool type=max in=16x16x256 out=8x8x256 kernel=2 stride=2 padding=0"], downsampling);
        Assert.Equal(9, units.Count(u => u.Name == "concat"));
        Assert.Equal("pool type=avg in=8x8x512 out=1x1x512 kernel=8 stride=1 padding=0", units[^2].ToString());
        Assert.Equal("fc in=512 out=10", units[^1].ToString());
    }

    [Fact]
    public void Input_only_cell_is_a_projection_and_uneven_splits_truncate()
    {
        var units = new List<LayerUnit>();
        NasBench101Skeleton.WriteCell(new Cell(new[,] { { 0, 1 }, { 0, 0 } }, [Input, Output]), new Shape(128, 8, 8), 256, units);
        Assert.Equal(["conv in=8x8x128 out=8x8x256 kernel=1 stride=1 padding=0 dilation=1 groups=1 bias=0",
                      "other name=BN in=8x8x256 out=8x8x256 value=0", "other name=ReLU in=8x8x256 out=8x8x256 value=0"],
                     units.Select(u => u.ToString()));
        // Vertices 1 and 2 feed the output (15 = 8 + 7); 1 also feeds 2, so 8 channels are cut to 7.
        units.Clear();
        var skip = new Cell(new[,] { { 0, 1, 0, 0 }, { 0, 0, 1, 1 }, { 0, 0, 0, 1 }, { 0, 0, 0, 0 } }, [Input, Conv1x1BnRelu, MaxPool3x3, Output]);
        NasBench101Skeleton.WriteCell(skip, new Shape(8, 4, 4), 15, units);
        Assert.Contains("other name=truncate in=4x4x8 out=4x4x7 value=0", units.Select(u => u.ToString()));
    }
}
