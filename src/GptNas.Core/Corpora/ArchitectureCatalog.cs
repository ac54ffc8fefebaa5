using GptNas.Architectures;

namespace GptNas.Corpora;

/// <summary>
/// Every named architecture in one place: the 36 torchvision reference CNNs (<see cref="ReferenceNetworks"/>)
/// and the small CPU networks (<see cref="SmallNetworks"/>). Names are unique across both.
/// </summary>
public static class ArchitectureCatalog
{
    /// <summary>The reference networks first, then the small ones, each in ordinal order.</summary>
    public static IReadOnlyList<string> Names { get; } = ReferenceNetworks.Names.Concat(SmallNetworks.Names).ToArray();

    public static bool Contains(string name) => ReferenceNetworks.Contains(name) || SmallNetworks.Contains(name);

    /// <summary>Builds the named network; throws <see cref="ArchitectureException"/> listing the known names when unknown.</summary>
    public static Architecture Build(string name, Shape input, int classes)
    {
        if (ReferenceNetworks.Contains(name)) return ReferenceNetworks.Build(name, input, classes);
        if (SmallNetworks.Contains(name)) return SmallNetworks.Build(name, input, classes);
        throw new ArchitectureException($"unknown architecture '{name}'; known: {string.Join(", ", Names)}");
    }
}
