namespace GptNas.Gpt;

/// <summary>
/// Next-token metrics over every position of held-out sequences (each predicted from its preceding
/// ≤ context tokens, the first from &lt;bos&gt;).
/// </summary>
/// <param name="Accuracy">Share of positions where the most probable token was the true one (top-1).</param>
/// <param name="Perplexity">exp(<paramref name="Loss"/>).</param>
/// <param name="Loss">Mean cross-entropy in nats.</param>
/// <param name="Positions">Positions scored.</param>
public sealed record NextTokenEvaluation(double Accuracy, double Perplexity, double Loss, long Positions);
