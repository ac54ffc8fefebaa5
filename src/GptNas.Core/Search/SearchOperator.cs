namespace GptNas.Search;

/// <summary>How an individual came to be; a trial stores these as text (<see cref="SearchOperators.Text"/>).</summary>
public enum SearchOperator
{
    /// <summary>Drawn from the space at random (an initial population, random search).</summary>
    Sample,
    /// <summary>One-point crossover of two parents (GPT-NAS §6).</summary>
    Crossover,
    /// <summary>A parent's candidate unchanged: neither crossover nor mutation applied.</summary>
    Copy,
    /// <summary>Mutation: a block inserted (block space).</summary>
    Add,
    /// <summary>Mutation: a block removed (block space).</summary>
    Remove,
    /// <summary>Mutation: a block redrawn in place (block space).</summary>
    Alter,
    /// <summary>Mutation: one edge's operation changed (NAS-Bench-201 cells).</summary>
    ChangeOp,
    /// <summary>Eliminated genes rebuilt by the prior (GPT-NAS §5).</summary>
    Reconstruct,
}

public static class SearchOperators
{
    /// <summary>The stored form: "crossover", "change-op".</summary>
    public static string Text(this SearchOperator op) => op switch
    {
        SearchOperator.ChangeOp => "change-op",
        _ => op.ToString().ToLowerInvariant(),
    };
}
