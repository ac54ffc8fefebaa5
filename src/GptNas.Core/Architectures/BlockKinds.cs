namespace GptNas.Architectures;

/// <summary>The definition of each <see cref="BlockKind"/>, and the kinds by name.</summary>
public static class BlockKinds
{
    private static readonly BlockDefinition[] Definitions = Index(
    [
        new ConvNormActivationDefinition(), new SqueezeExcitationDefinition(),
        new InceptionDefinition(), new AvgPoolDefinition(),
        new ResBottleneckBlockDefinition(), new SimpleStemINDefinition(),
        new BottleneckDefinition(), new BasicBlockDefinition(), new GroupedBottleneckDefinition(), new WideBottleneckDefinition(),
        new InvertedResidualDefinition(),
        new MaxPoolDefinition(), new BatchNormDefinition(), new ReLUDefinition(), new ConvDefinition(),
    ]);

    /// <summary>All definitions, in <see cref="BlockKind"/> order.</summary>
    public static IReadOnlyList<BlockDefinition> All => Definitions;

    public static BlockDefinition Of(BlockKind kind) =>
        (uint)kind < (uint)Definitions.Length ? Definitions[(int)kind] : throw new ArchitectureException($"unknown block kind {kind}");

    public static bool TryParse(string name, out BlockKind kind) =>
        Enum.TryParse(name, ignoreCase: false, out kind) && Enum.IsDefined(kind) && !int.TryParse(name, out _);

    public static string Known => string.Join(", ", Enum.GetNames<BlockKind>());

    private static BlockDefinition[] Index(BlockDefinition[] definitions)
    {
        var byKind = new BlockDefinition[Enum.GetValues<BlockKind>().Length];
        foreach (var definition in definitions)
        {
            if (byKind[(int)definition.Kind] is not null) throw new InvalidOperationException($"{definition.Kind} is defined twice");
            byKind[(int)definition.Kind] = definition;
        }
        var missing = Enum.GetValues<BlockKind>().Where(k => byKind[(int)k] is null).ToList();
        return missing.Count == 0 ? byKind : throw new InvalidOperationException($"no definition for {string.Join(", ", missing)}");
    }
}
