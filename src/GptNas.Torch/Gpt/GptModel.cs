using TorchSharp;
using GptNas.Networks;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace GptNas.Gpt;

/// <summary>
/// The decoder-only transformer of GPT-NAS §4, written like nanoGPT: token + position embeddings, a stack
/// of blocks with causal self-attention and a 4x GELU MLP, a final LayerNorm and a head over the
/// vocabulary. The head is tied to the token embedding by default (<see cref="GptConfig.TiedHead"/>).
/// Shapes: B batch, T time (≤ context), C width, V vocabulary, H heads, D = C / H.
/// </summary>
/// <remarks>
/// Forward passes dispose their intermediate results as soon as they are used (autograd keeps its own
/// references), so a training step inside a dispose scope holds about what PyTorch would.
/// </remarks>
public sealed class GptModel : Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding? wpe;
    private readonly Dropout drop;
    private readonly ModuleList<GptBlock> h;
    private readonly LayerNorm? ln_f;
    private readonly Linear? lm_head;

    /// <summary>The config that shaped this model.</summary>
    public GptConfig Config { get; }

    /// <summary>Number of token ids the model reads and predicts (ids 0 .. size-1).</summary>
    public int VocabularySize { get; }

    /// <param name="config">Model shape; validated here.</param>
    /// <param name="vocabularySize">Distinct token ids, reserved ones included.</param>
    /// <param name="seed">Seeds the weight initialization (a private generator: the global one is untouched).</param>
    public GptModel(GptConfig config, int vocabularySize, long seed = 0) : base("gpt")
    {
        Config = config.Validate();
        if (vocabularySize < 1) throw new GptNasException($"the vocabulary size is {vocabularySize}; it must be at least 1");
        VocabularySize = vocabularySize;
        wte = Embedding(vocabularySize, config.Width);
        if (config.Positions == PositionEncoding.Learned) wpe = Embedding(config.Context, config.Width);
        // Buffers are registered by name, not kept in fields: RegisterComponents would make fields persistent.
        else register_buffer("sinusoid", Sinusoid(config.Context, config.Width), persistent: false); // (context, C)
        drop = Dropout(config.Dropout);
        h = new ModuleList<GptBlock>(Enumerable.Range(0, config.Layers).Select(_ => new GptBlock(config)).ToArray());
        if (config.PreNorm) ln_f = LayerNorm(config.Width, elementwise_affine: true, bias: config.Bias);
        if (!config.TiedHead) lm_head = Linear(config.Width, vocabularySize, hasBias: false);
        RegisterComponents();
        Initialize(seed);
    }

    /// <summary>Next-token logits at every position.</summary>
    /// <param name="idx">Token ids, (B, T) int64, T ≤ context.</param>
    /// <returns>Logits, (B, T, V).</returns>
    public override Tensor forward(Tensor idx)
    {
        var t = idx.shape[1];
        if (t > Config.Context) throw new ArgumentException($"sequence of length {t} is longer than the context ({Config.Context})", nameof(idx));
        Tensor x;
        using (var tok = wte.call(idx)) // (B, T, C)
        using (var pos = PositionEmbedding(t, idx.device)) // (T, C)
            x = tok + pos; // (B, T, C)
        x = Layers.Step(drop, x);
        foreach (var block in h) x = Layers.Step(block, x); // (B, T, C)
        if (ln_f is not null) x = Layers.Step(ln_f, x);
        // Tied: logits = x @ wte.weight^T, the embedding matrix read backwards.
        var logits = lm_head is null ? F.linear(x, wte.weight!) : lm_head.call(x); // (B, T, V)
        x.Dispose();
        return logits;
    }

    /// <summary>Where the weights live.</summary>
    public Device Device => wte.weight!.device;

    /// <summary>Trainable parameters, each counted once (the tied head adds none).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    private Tensor PositionEmbedding(long t, Device device)
    {
        if (wpe is not null)
        {
            using var positions = arange(t, dtype: int64, device: device); // (T)
            return wpe.call(positions); // (T, C)
        }
        return get_buffer("sinusoid")![..(int)t]; // (T, C)
    }

    private static Tensor Sinusoid(int context, int width)
    {
        using var scope = NewDisposeScope();
        var position = arange(context, dtype: float32).unsqueeze(1); // (T, 1)
        var frequency = exp(arange(0, width, 2, dtype: float32) * (-Math.Log(10000.0) / width)); // (C/2)
        var angle = position * frequency; // (T, C/2)
        // Interleave: even channels sin, odd channels cos.
        var table = stack([sin(angle), cos(angle)], dim: 2).reshape(context, width); // (T, C)
        return table.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// nanoGPT's initialization: normal(0, 0.02) for linear and embedding weights, zero biases, and
    /// 0.02 / sqrt(2 * layers) for the projections that write into the residual stream (GPT-2).
    /// </summary>
    private void Initialize(long seed)
    {
        using var _ = no_grad();
        using var generator = new Generator((ulong)seed);
        var residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("c_proj.weight")) parameter.normal_(0, residualStd, generator);
            else if (name.EndsWith(".bias") && !name.Contains("ln_")) parameter.zero_();
            else if (parameter.dim() == 2) parameter.normal_(0, 0.02, generator);
            // LayerNorm weights stay 1 and biases 0 (PyTorch's defaults).
        }
    }
}

/// <summary>Multi-head causal self-attention with a written-out mask (faster than SDPA's is_causal for training here).</summary>
internal sealed class CausalSelfAttention : Module<Tensor, Tensor>
{
    private readonly Linear c_attn;
    private readonly Linear c_proj;
    private readonly Dropout attn_dropout;
    private readonly Dropout resid_dropout;
    private readonly int heads;
    private readonly double scale;

    public CausalSelfAttention(GptConfig config) : base("attn")
    {
        heads = config.Heads;
        scale = 1.0 / Math.Sqrt(config.Width / config.Heads);
        c_attn = Linear(config.Width, 3 * config.Width, hasBias: config.Bias);
        c_proj = Linear(config.Width, config.Width, hasBias: config.Bias);
        attn_dropout = Dropout(config.Dropout);
        resid_dropout = Dropout(config.Dropout);
        RegisterComponents();
        // (1, 1, context, context): true where a position would look into the future. Registered by name (not
        // kept in a field) so it follows .to(device) without being saved with the weights.
        using var ones = torch.ones(config.Context, config.Context, dtype: @bool);
        using var future = ones.triu(1);
        register_buffer("mask", future.view(1, 1, config.Context, config.Context), persistent: false);
    }

    public override Tensor forward(Tensor x)
    {
        var (b, t, c) = (x.shape[0], x.shape[1], x.shape[2]);
        var d = c / heads;
        using var qkv = c_attn.call(x); // (B, T, 3C)
        using var grouped = qkv.view(b, t, 3, heads, d); // (B, T, 3, H, D)
        using var permuted = grouped.permute(2, 0, 3, 1, 4); // (3, B, H, T, D)
        var split = permuted.unbind(0);
        using var q = split[0]; // (B, H, T, D)
        using var k = split[1]; // (B, H, T, D)
        using var v = split[2]; // (B, H, T, D)
        using var kT = k.transpose(-2, -1); // (B, H, D, T)
        using var scores = q.matmul(kT); // (B, H, T, T)
        using var future = get_buffer("mask")![.., .., ..(int)t, ..(int)t]; // (1, 1, T, T)
        scores.mul_(scale).masked_fill_(future, double.NegativeInfinity);
        using var weights = scores.softmax(-1); // (B, H, T, T)
        using var dropped = attn_dropout.call(weights);
        using var y = dropped.matmul(v); // (B, H, T, D)
        using var yT = y.transpose(1, 2); // (B, T, H, D)
        using var merged = yT.reshape(b, t, c); // (B, T, C), copies the transposed heads together
        var projected = c_proj.call(merged); // (B, T, C)
        return Layers.Step(resid_dropout, projected);
    }
}

/// <summary>The position-wise MLP: C -> 4C -> GELU -> C.</summary>
internal sealed class GptMlp : Module<Tensor, Tensor>
{
    private readonly Linear c_fc;
    private readonly GELU gelu;
    private readonly Linear c_proj;
    private readonly Dropout dropout;

    public GptMlp(GptConfig config) : base("mlp")
    {
        c_fc = Linear(config.Width, 4 * config.Width, hasBias: config.Bias);
        gelu = GELU();
        c_proj = Linear(4 * config.Width, config.Width, hasBias: config.Bias);
        dropout = Dropout(config.Dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var hidden = c_fc.call(x); // (B, T, 4C)
        using var activated = gelu.call(hidden); // (B, T, 4C)
        var projected = c_proj.call(activated); // (B, T, C)
        return Layers.Step(dropout, projected);
    }
}

/// <summary>One transformer block: attention then MLP, each with a residual connection.</summary>
internal sealed class GptBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly GptMlp mlp;
    private readonly bool preNorm;

    public GptBlock(GptConfig config) : base("block")
    {
        preNorm = config.PreNorm;
        ln_1 = LayerNorm(config.Width, elementwise_affine: true, bias: config.Bias);
        attn = new CausalSelfAttention(config);
        ln_2 = LayerNorm(config.Width, elementwise_affine: true, bias: config.Bias);
        mlp = new GptMlp(config);
        RegisterComponents();
    }

    /// <returns>A new tensor; <paramref name="x"/> is left to the caller.</returns>
    public override Tensor forward(Tensor x) // (B, T, C) -> (B, T, C)
    {
        if (preNorm)
        {
            // x + attn(ln_1(x)), then + mlp(ln_2(x))
            using var n1 = ln_1.call(x);
            using var a = attn.call(n1);
            using var x1 = x + a;
            using var n2 = ln_2.call(x1);
            using var m = mlp.call(n2);
            return x1 + m;
        }
        // Post-norm: ln_1(x + attn(x)), then ln_2(x + mlp(x))
        using var attended = attn.call(x);
        using var s1 = x + attended;
        using var y1 = ln_1.call(s1);
        using var fed = mlp.call(y1);
        using var s2 = y1 + fed;
        return ln_2.call(s2);
    }
}
