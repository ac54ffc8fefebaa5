using GptNas.Search;

namespace GptNas.Spaces.NasBench201;

/// <summary>
/// The NAS-Bench-201 cell space as the GA, REA and random search see it: a uniform sample draws each edge's op
/// uniformly (NB201's <c>random_architecture_func</c>); crossover is one-point on the 6 edges; mutation changes
/// one edge to a different op exactly as NB201's REA does (<c>mutate_arch_func</c>: a node uniformly, then one
/// of its input edges uniformly, so edge (1&lt;-0) is picked with chance 1/3 and each of node 3's edges with 1/9).
/// The genes reconstruction may eliminate are the 6 edges.
/// </summary>
/// <param name="pool">When given, <see cref="Sample"/> draws uniformly from these cells instead (random search over a
/// corpus); mutation and crossover still reach the whole space.</param>
public sealed class Nb201Space(IReadOnlyList<Nb201Cell>? pool = null) : ISearchSpace<Nb201Cell>
{
    public string Name => "nasbench201";

    public Nb201Cell Sample(Random random)
    {
        if (pool is { Count: > 0 }) return pool[random.Next(pool.Count)];
        var ops = new int[Nb201Cell.EdgeCount];
        for (var e = 0; e < ops.Length; e++) ops[e] = random.Next(Nb201Cell.OpCount);
        return new Nb201Cell(ops);
    }

    /// <summary>GPT-NAS §6's one-point crossover: a cut after edge 1..5, tails swapped.</summary>
    public (Nb201Cell First, Nb201Cell Second) Crossover(Nb201Cell first, Nb201Cell second, Random random)
    {
        var cut = random.Next(1, Nb201Cell.EdgeCount);
        var a = first.Ops.Take(cut).Concat(second.Ops.Skip(cut)).ToArray();
        var b = second.Ops.Take(cut).Concat(first.Ops.Skip(cut)).ToArray();
        return (new Nb201Cell(a), new Nb201Cell(b));
    }

    /// <summary>NB201 REA's mutation: node 1..3 uniformly, one of its inputs uniformly, a different op uniformly.</summary>
    public (Nb201Cell Child, SearchOperator Operator) Mutate(Nb201Cell parent, Random random)
    {
        var node = random.Next(1, 4);
        var from = random.Next(node);
        var edge = node * (node - 1) / 2 + from; // nodes 1, 2, 3 start at edges 0, 1, 3
        var op = random.Next(Nb201Cell.OpCount - 1);
        if (op >= parent[edge]) op++; // uniform over the 4 other ops, as NB201's redraw-until-different loop
        return (parent.With(edge, op), SearchOperator.ChangeOp);
    }

    public int GeneCount(Nb201Cell candidate) => Nb201Cell.EdgeCount;

    public string Encode(Nb201Cell candidate) => candidate.ToString();

    public Nb201Cell Decode(string text) => Nb201Cell.Parse(text);

    public string Hash(Nb201Cell candidate) => candidate.Hash;
}
