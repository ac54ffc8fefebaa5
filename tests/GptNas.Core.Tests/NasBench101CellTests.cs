using System.Security.Cryptography;
using System.Text;
using GptNas.Corpora;
using GptNas.Corpora.NasBench101;
using static GptNas.Corpora.NasBench101.CellOp;

namespace GptNas.Tests;

/// <summary>NAS-Bench-101 cells: nasbench's pruning, validity rules and graph hash, and the enumeration.</summary>
public class NasBench101CellTests
{
    // The Inception-like cell of nasbench's README and notebook (7 vertices, 9 edges).
    internal static readonly Cell Inception = new(new[,]
    {
        { 0, 1, 1, 1, 1, 0, 0 },
        { 0, 0, 0, 0, 0, 0, 1 },
        { 0, 0, 0, 0, 0, 0, 1 },
        { 0, 0, 0, 0, 0, 0, 1 },
        { 0, 0, 0, 0, 0, 1, 0 },
        { 0, 0, 0, 0, 0, 0, 1 },
        { 0, 0, 0, 0, 0, 0, 0 },
    }, [Input, Conv3x3BnRelu, Conv1x1BnRelu, MaxPool3x3, Conv3x3BnRelu, Conv3x3BnRelu, Output]);

    private static Cell C(int[,] matrix, params CellOp[] ops) => new(matrix, ops);

    // Expected values from nasbench's graph_util.hash_module (labels: conv3x3 0, conv1x1 1, maxpool 2).
    [Fact]
    public void Hash_equals_nasbench_hash_module()
    {
        Assert.Equal("28cfc7874f6d200472e1a9dcd8650aa0", Inception.Hash());
        Assert.Equal("043721b9c7fe8c5fad811d47d83132ec", C(new[,] { { 0, 1 }, { 0, 0 } }, Input, Output).Hash());
        var chain = new[,] { { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 }, { 0, 0, 0, 0 } };
        Assert.Equal("96794a104891b22bf4f2abbdd7c3e90f", C(chain, Input, Conv3x3BnRelu, Conv1x1BnRelu, Output).Hash());
        Assert.Equal("d0a5ff67e269a1ac4f305c618a88ac85", C(chain, Input, Conv1x1BnRelu, Conv3x3BnRelu, Output).Hash());
        var diamond = new[,] { { 0, 1, 1, 0 }, { 0, 0, 0, 1 }, { 0, 0, 0, 1 }, { 0, 0, 0, 0 } };
        Assert.Equal("7c65f6bd01b87407734781b6038050bc", C(diamond, Input, Conv3x3BnRelu, MaxPool3x3, Output).Hash());
        Assert.Equal("7c65f6bd01b87407734781b6038050bc", C(diamond, Input, MaxPool3x3, Conv3x3BnRelu, Output).Hash());
    }

    [Fact]
    public void Hash_is_invariant_under_renumbering_in_any_topological_order()
    {
        var random = new Random(7);
        var space = CellEnumerator.Enumerate(6, hashes: false);
        for (var trial = 0; trial < 200; trial++)
        {
            var cell = space[random.Next(space.Count)];
            var renumbered = cell.Renumber(RandomTopologicalOrder(cell, random));
            Assert.Equal(cell.Hash(), renumbered.Hash());
            Assert.Equal(cell.Edges, renumbered.Edges);
        }
        // The Inception cell with its two parallel branches listed the other way round.
        var swapped = Inception.Renumber([0, 5, 4, 3, 1, 2, 6]);
        Assert.NotEqual(Inception, swapped);
        Assert.Equal(Inception.Hash(), swapped.Hash());
    }

    // nasbench graph_util_test: pairs that differ only in subtle ways must hash apart.
    [Fact]
    public void Different_cells_hash_differently()
    {
        var chain = new[,] { { 0, 1, 0, 0, 0 }, { 0, 0, 1, 0, 0 }, { 0, 0, 0, 1, 0 }, { 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 0 } };
        Assert.NotEqual(C(chain, Input, Conv1x1BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, Output).Hash(),
                        C(chain, Input, Conv3x3BnRelu, Conv3x3BnRelu, Conv1x1BnRelu, Output).Hash());
        var skip = new[,] { { 0, 1, 0, 1 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 }, { 0, 0, 0, 0 } };
        Assert.NotEqual(C(skip, Input, Conv1x1BnRelu, Conv3x3BnRelu, Output).Hash(), C(skip, Input, Conv3x3BnRelu, Conv1x1BnRelu, Output).Hash());
        var fan = new[,]
        {
            { 0, 1, 1, 1, 1, 0, 0 }, { 0, 0, 1, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 0, 1, 0 },
            { 0, 0, 0, 0, 0, 1, 0 }, { 0, 0, 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 0, 0, 0 },
        };
        Assert.NotEqual(C(fan, Input, Conv1x1BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, Output).Hash(),
                        C(fan, Input, Conv3x3BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, Conv1x1BnRelu, Conv3x3BnRelu, Output).Hash());
        // One operation changed in the two-conv branch.
        Assert.NotEqual(Inception.Hash(), C(Inception.Matrix(), Input, Conv3x3BnRelu, Conv1x1BnRelu, MaxPool3x3, MaxPool3x3, Conv3x3BnRelu, Output).Hash());
    }

    // nasbench model_spec_test: islands and dangling vertices go, disconnected cells are invalid.
    [Fact]
    public void Prune_removes_what_is_not_on_an_input_output_path()
    {
        var island = C(new[,] { { 0, 1, 0, 0 }, { 0, 0, 0, 1 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } }, Input, Conv3x3BnRelu, MaxPool3x3, Output);
        Assert.Equal("ops=input,conv3x3-bn-relu,output matrix=010/001/000", island.Prune()!.ToString());
        var dangling = C(new[,] { { 0, 1, 1, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 1 }, { 0, 0, 0, 0 } }, Input, Conv3x3BnRelu, MaxPool3x3, Output);
        Assert.Equal("ops=input,maxpool3x3,output matrix=010/001/000", dangling.Prune()!.ToString());
        var unreached = C(new[,] { { 0, 0, 1, 0 }, { 0, 0, 0, 1 }, { 0, 0, 0, 1 }, { 0, 0, 0, 0 } }, Input, Conv3x3BnRelu, MaxPool3x3, Output);
        Assert.Equal("ops=input,maxpool3x3,output matrix=010/001/000", unreached.Prune()!.ToString());
        Assert.Equal(dangling.Hash(), unreached.Hash());
        Assert.Same(Inception, Inception.Prune());
        Assert.True(Inception.IsPruned);

        var cut = C(new[,] { { 0, 1, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 1 }, { 0, 0, 0, 0 } }, Input, Conv3x3BnRelu, MaxPool3x3, Output);
        Assert.Null(cut.Prune());
        Assert.Contains("no path joins the input", cut.Validate());
        Assert.Throws<GptNasException>(() => cut.Hash());
        Assert.Null(C(new[,] { { 0, 0 }, { 0, 0 } }, Input, Output).Prune());
    }

    [Fact]
    public void Validity_follows_nasbench_limits_after_pruning()
    {
        Assert.Null(Inception.Validate());
        var full = new int[7, 7];
        for (var i = 0; i < 7; i++)
            for (var j = i + 1; j < 7; j++) full[i, j] = 1;
        var dense = C(full, Input, Conv3x3BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, Output);
        Assert.Equal("the cell has 21 edges after pruning; NAS-Bench-101 allows at most 9", dense.Validate());
        // 8 vertices, but one is dangling: nasbench accepts it because the pruned cell has 7.
        var withDead = new Cell(new int[,]
        {
            { 0, 1, 0, 0, 0, 0, 1, 0 }, { 0, 0, 1, 0, 0, 0, 0, 0 }, { 0, 0, 0, 1, 0, 0, 0, 0 }, { 0, 0, 0, 0, 1, 0, 0, 0 },
            { 0, 0, 0, 0, 0, 1, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0, 0 },
        }, [Input, Conv3x3BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, Conv3x3BnRelu, MaxPool3x3, Output]);
        Assert.Null(withDead.Validate());
        Assert.Equal(7, withDead.Prune()!.Vertices);
    }

    [Fact]
    public void Malformed_cells_are_refused_with_the_reason()
    {
        var lower = Assert.Throws<GptNasException>(() => C(new[,] { { 0, 1, 0 }, { 0, 0, 1 }, { 1, 0, 0 } }, Input, Conv3x3BnRelu, Output));
        Assert.Contains("upper triangular", lower.Message);
        var ops = Assert.Throws<GptNasException>(() => C(new[,] { { 0, 1 }, { 0, 0 } }, Conv3x3BnRelu, Output));
        Assert.Contains("first vertex must be 'input'", ops.Message);
        var count = Assert.Throws<GptNasException>(() => C(new[,] { { 0, 1 }, { 0, 0 } }, Input, MaxPool3x3, Output));
        Assert.Contains("one operation per vertex", count.Message);
    }

    [Fact]
    public void Text_form_round_trips()
    {
        Assert.Equal("ops=input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,output "
                     + "matrix=0111100/0000001/0000001/0000001/0000010/0000001/0000000", Inception.ToString());
        Assert.Equal(Inception, Cell.Parse(Inception.ToString()));
        Assert.Contains("unknown operation 'conv5x5'", Assert.Throws<GptNasException>(() => Cell.Parse("ops=input,conv5x5,output matrix=010/001/000")).Message);
    }

    // Counts from nasbench's generate_graphs.py (its own log lines "Up to V vertices: N graphs (M without
    // hashing)", recomputed with its algorithm): 1, 7, 91, 2,532, 64,542 and 423,624 unique graphs up to 2..7
    // vertices. Bounds 6 and 7 take seconds; bench/NasBench101Count checks them.
    [Fact]
    public void Enumeration_up_to_5_vertices_matches_nasbench()
    {
        var space = CellEnumerator.Enumerate(5);
        Assert.Equal(2_532, space.Count);
        Assert.Equal(3_364, space.LabelledGraphs);
        Assert.Equal(new[] { 0, 0, 1, 6, 84, 2_441 }, space.UniqueByVertices);
        Assert.Equal(91, CellEnumerator.Enumerate(4).Count);
        Assert.Equal(space.Count, Enumerable.Range(0, space.Count).Select(space.HashAt).Distinct().Count());
        Assert.All(space.Cells.Take(500), cell => Assert.True(cell.IsValid && cell.IsPruned));
        Assert.Equal(space[100].Hash(), space.HashAt(100));
    }

    [Fact]
    public void Enumeration_keeps_nasbench_first_cell_whatever_the_thread_count()
    {
        var one = CellEnumerator.Enumerate(5, threads: 1, hashes: false);
        var two = CellEnumerator.Enumerate(5, threads: 2, hashes: false);
        Assert.Equal(one.Cells.Select(c => c.ToString()), two.Cells.Select(c => c.ToString()));
        Assert.Equal("ops=input,output matrix=01/00", one[0].ToString());
        Assert.Equal("ops=input,conv3x3-bn-relu,output matrix=010/001/000", one[1].ToString());
        // At most 2 edges: input -> output, and the 3 chains input -> op -> output.
        Assert.Equal(4, CellEnumerator.Enumerate(5, maxEdges: 2).Count);
    }

    [Fact]
    public void Managed_md5_equals_the_platform_md5()
    {
        var random = new Random(3);
        foreach (var length in new[] { 0, 1, 55, 56, 63, 64, 65, 119, 120, 200, 1000 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(data)), Md5.ToHex(Md5.Hash(data)));
        }
        Assert.Equal("900150983cd24fb0d6963f7d28e17f72", Md5.ToHex(Md5.Hash(Encoding.ASCII.GetBytes("abc"))));
    }

    private static int[] RandomTopologicalOrder(Cell cell, Random random)
    {
        var n = cell.Vertices;
        var placed = new bool[n];
        var newIndex = new int[n];
        for (var position = 0; position < n; position++)
        {
            var ready = Enumerable.Range(0, n).Where(v => !placed[v] && Enumerable.Range(0, n).All(u => placed[u] || !cell.HasEdge(u, v))).ToList();
            var next = ready[random.Next(ready.Count)];
            placed[next] = true;
            newIndex[next] = position;
        }
        return newIndex;
    }
}
