namespace GptNas.Training;

/// <summary>
/// Named bundles of training settings, set with <c>recipe=NAME</c> (<c>--set final.recipe=fast</c>,
/// <c>--set proxy.training.recipe=fast</c>, <c>gptnas train --set recipe=fast</c>). Setting a recipe writes its settings
/// into the config where the assignment stands, so a later <c>--set</c> of one of them wins and the stored config holds
/// every value that trained. Neither sets <c>bf16_autocast=true</c>: that is a choice of hardware, not of training.
/// </summary>
public static class TrainingRecipes
{
    /// <summary>
    /// The parts of airbench94's recipe (Jordan 2024) that carry to any architecture, on the optimizer, batch and schedule
    /// already set: 2-pixel translation with mirrored edges and flips alternating by epoch; lookahead; flip plus one-pixel
    /// translation at test time. Not its label smoothing of 0.2, which cost searched networks accuracy under the plain
    /// recipe's optimizer on both CIFAR-10 and Fashion-MNIST (README, <i>A fast training recipe</i>).
    /// </summary>
    public static IReadOnlyList<(string Key, string Value)> Fast { get; } =
    [
        ("crop_padding", "2"), ("crop_reflect", "true"), ("flip", "true"), ("alternating_flip", "true"),
        ("lookahead", "true"), ("test_time_flip", "true"), ("test_time_translate", "1"),
    ];

    /// <summary>
    /// airbench94's whole recipe in gptnas's units, <see cref="Fast"/> plus label smoothing 0.2 and what is tuned to
    /// airbench94's network: batch 1,024; Nesterov SGD with momentum 0.85 at a peak rate of 1.5 and weight decay 1.33e-3
    /// on the mean loss (airbench's 11.5 and 0.0153 per 1,024 summed examples); the triangular schedule (from 0.2 of the
    /// peak up to it over 2.3 epochs, 23 % of airbench's training, then linearly down to 0.07 of it); airbench's BatchNorm
    /// (momentum 0.6 in its convention, eps 1e-12, scales frozen at 1, shifts at 64x the rate); the classifier at 1/81 of
    /// the rate, which is how airbench's 1/9 scale on the logits trains; its identity initialization of the convolutions.
    /// Not in it: <c>whiten=true</c> (it needs airbench94's first layer).
    /// </summary>
    public static IReadOnlyList<(string Key, string Value)> AirBench { get; } =
    [
        .. Fast, ("label_smoothing", "0.2"),
        ("batch_size", "1024"), ("learning_rate", "1.5"), ("weight_decay", "0.00133"), ("momentum", "0.85"), ("nesterov", "true"),
        ("schedule", "linear"), ("warmup_epochs", "2.3"), ("warmup_from", "0.2"), ("decay_to", "0.07"),
        ("batch_norm_momentum", "0.4"), ("batch_norm_eps", "1e-12"), ("batch_norm_frozen_scale", "true"),
        ("batch_norm_bias_lr_scale", "64"), ("classifier_lr_scale", "0.012345679"), ("dirac_init", "true"),
    ];

    public static IReadOnlyDictionary<string, IReadOnlyList<(string Key, string Value)>> All { get; } =
        new Dictionary<string, IReadOnlyList<(string Key, string Value)>> { ["fast"] = Fast, ["airbench"] = AirBench };

    /// <exception cref="GptNasException">No recipe has that name.</exception>
    public static IReadOnlyList<(string Key, string Value)> Find(string name, string key) =>
        All.TryGetValue(name, out var recipe) ? recipe
            : throw new GptNasException($"--set {key}={name}: unknown recipe; known: {string.Join(", ", All.Keys)}");
}
