namespace GptNas.Search;

/// <summary>Which strategy a block-space search runs (<c>--strategy</c>, the config's <c>strategy</c>).</summary>
public enum SearchStrategyKind
{
    /// <summary>GPT-NAS's genetic algorithm (§6), with or without reconstruction.</summary>
    Ga,
    /// <summary>
    /// Uniform samples of the space, as many as the GA would evaluate (population x (generations + 1)), scored by
    /// the same proxy: the baseline every search is compared with.
    /// </summary>
    Random,
}
