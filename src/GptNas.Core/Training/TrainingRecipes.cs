namespace GptNas.Training;

/// <summary>
/// Named bundles of training settings, set with <c>recipe=NAME</c> (<c>--set final.recipe=fast</c>,
/// <c>--set proxy.training.recipe=fast</c>, <c>gptnas train --set recipe=fast</c>). Setting a recipe writes its settings
/// into the config where the assignment stands, so a later <c>--set</c> of one of them wins and the stored config holds
/// every value that trained.
/// </summary>
public static class TrainingRecipes
{
    /// <summary>
    /// The ideas of fast CIFAR-10 training (Jordan 2024, airbench94) that apply to any architecture: label smoothing 0.2,
    /// flips alternating by epoch, lookahead, Nesterov momentum 0.85, a triangular schedule (linear warm-up, then linear
    /// decay to 0), and flip plus one-pixel translation at test time.
    /// </summary>
    public static IReadOnlyList<(string Key, string Value)> Fast { get; } =
    [
        ("label_smoothing", "0.2"), ("flip", "true"), ("alternating_flip", "true"), ("lookahead", "true"),
        ("momentum", "0.85"), ("nesterov", "true"), ("schedule", "linear"), ("warmup_epochs", "2"),
        ("test_time_flip", "true"), ("test_time_translate", "1"),
    ];

    public static IReadOnlyDictionary<string, IReadOnlyList<(string Key, string Value)>> All { get; } =
        new Dictionary<string, IReadOnlyList<(string Key, string Value)>> { ["fast"] = Fast };

    /// <exception cref="GptNasException">No recipe has that name.</exception>
    public static IReadOnlyList<(string Key, string Value)> Find(string name, string key) =>
        All.TryGetValue(name, out var recipe) ? recipe
            : throw new GptNasException($"--set {key}={name}: unknown recipe; known: {string.Join(", ", All.Keys)}");
}
