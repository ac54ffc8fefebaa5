#!/usr/bin/python3
"""The PyTorch side of bench/TrainBench: trains the same networks as gptnas, layer for layer, and prints one
JSON line (images or tokens per second, peak RSS, settings).

Run with Debian's PyTorch (apt-get install python3-torch libopenblas0-pthread), which lives only under
/usr/bin/python3:

    /usr/bin/python3 bench/peer/train_peer.py --case cnn32 --steps 30 --warmup 5 --threads 2

Cases (the networks are written out here because Debian's python3-torch has no torchvision):
  cnn32     gptnas's resnet8w on 3x32x32, 10 classes: conv3x3 stem 32 + BN + ReLU, BasicBlocks 32, 64/2, 128/2
  cnn28     the same on 1x28x28
  resnet18  torchvision's resnet18 on 3x32x32, 10 classes (gptnas builds it from its block space)
  gpt       gptnas's GptModel: 4 layers, 4 heads, d_model 128, context 10, vocabulary 512, AdamW

Each CNN step does what gptnas's Trainer does per batch: set the learning rate, forward, cross-entropy,
loss.item() (finite check), zero_grad, backward, SGD step (momentum 0.9, nesterov, weight decay 5e-4),
and the count of correct predictions (.item()). Data: a few fixed random batches held in memory, cycled.
"""
import argparse
import json
import math
import os
import resource
import sys
import time


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--case", required=True, choices=["cnn32", "cnn28", "resnet18", "gpt"])
    p.add_argument("--steps", type=int, default=30, help="timed steps after warm-up")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--channels-last", action="store_true", help="CNN weights and inputs in channels-last memory format")
    p.add_argument("--dropout", type=float, default=0.1, help="GPT: dropout (gptnas's default 0.1)")
    p.add_argument("--profile", action="store_true",
                   help="print the time of each phase of a step instead of JSON (the GPT: also torch.autograd.profiler's top operators)")
    return p.parse_args()


args = parse()
# OpenBLAS reads its thread count when it loads, i.e. when torch is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)


# ---- CNNs: the modules gptnas's NetworkBuilder makes (torchvision's definitions, gptnas's initialization) ----

def kaiming(conv):
    nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    if conv.bias is not None:
        nn.init.zeros_(conv.bias)
    return conv


def bn(channels):
    b = nn.BatchNorm2d(channels)
    nn.init.ones_(b.weight)
    nn.init.zeros_(b.bias)
    return b


class BasicBlock(nn.Module):
    """torchvision.models.resnet.BasicBlock (gptnas's BasicBlock)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = kaiming(nn.Conv2d(cin, cout, 3, stride, 1, bias=False))
        self.bn1 = bn(cout)
        self.conv2 = kaiming(nn.Conv2d(cout, cout, 3, 1, 1, bias=False))
        self.bn2 = bn(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(kaiming(nn.Conv2d(cin, cout, 1, stride, 0, bias=False)), bn(cout))

    def forward(self, x):
        out = self.bn1(self.conv1(x))
        out.relu_()
        out = self.bn2(self.conv2(out))
        out += x if self.downsample is None else self.downsample(x)
        return out.relu_()


class Network(nn.Module):
    """gptnas's Network: features, adaptive average pool to 1x1, flatten, fc (normal(0, 0.01), bias 0)."""

    def __init__(self, features, channels, classes):
        super().__init__()
        self.features = nn.Sequential(*features)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, classes)
        nn.init.normal_(self.fc.weight, 0, 0.01)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.features(x)), 1))


def resnet8w(in_channels, classes, width=32):
    """SmallNetworks.ResNet8(width 32): conv 3x3 stem, BN, ReLU (in place after BN), BasicBlocks w, 2w/2, 4w/2."""
    features = [kaiming(nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)), bn(width), nn.ReLU(inplace=True),
                BasicBlock(width, width, 1), BasicBlock(width, 2 * width, 2), BasicBlock(2 * width, 4 * width, 2)]
    return Network(features, 4 * width, classes)


def resnet18(in_channels, classes):
    """torchvision's resnet18 as gptnas's block space writes it: conv 7x7/2 + BN + ReLU + max-pool 3/2, [2, 2, 2, 2] BasicBlocks."""
    features = [kaiming(nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)), bn(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for stage, planes in enumerate([64, 128, 256, 512]):
        for i in range(2):
            stride = 2 if stage > 0 and i == 0 else 1
            features.append(BasicBlock(cin, planes, stride))
            cin = planes
    return Network(features, 512, classes)


# ---- GPT: gptnas's GptModel (nanoGPT layout, pre-norm, learned positions, tied head, written-out causal mask) ----

class CausalSelfAttention(nn.Module):
    def __init__(self, width, heads, context, dropout):
        super().__init__()
        self.heads = heads
        self.scale = 1.0 / math.sqrt(width // heads)
        self.c_attn = nn.Linear(width, 3 * width)
        self.c_proj = nn.Linear(width, width)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.ones(context, context, dtype=torch.bool).triu(1).view(1, 1, context, context), persistent=False)

    def forward(self, x):
        b, t, c = x.shape
        d = c // self.heads
        q, k, v = self.c_attn(x).view(b, t, 3, self.heads, d).permute(2, 0, 3, 1, 4).unbind(0)  # (B, H, T, D) each
        scores = q @ k.transpose(-2, -1)
        scores.mul_(self.scale).masked_fill_(self.mask[:, :, :t, :t], float("-inf"))
        y = self.attn_dropout(scores.softmax(-1)) @ v  # (B, H, T, D)
        return self.resid_dropout(self.c_proj(y.transpose(1, 2).reshape(b, t, c)))


class Mlp(nn.Module):
    def __init__(self, width, dropout):
        super().__init__()
        self.c_fc = nn.Linear(width, 4 * width)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * width, width)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class GptBlock(nn.Module):
    def __init__(self, width, heads, context, dropout):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = CausalSelfAttention(width, heads, context, dropout)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = Mlp(width, dropout)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, vocabulary, layers=4, heads=4, width=128, context=10, dropout=0.1):
        super().__init__()
        self.wte = nn.Embedding(vocabulary, width)
        self.wpe = nn.Embedding(context, width)
        self.drop = nn.Dropout(dropout)
        self.h = nn.ModuleList([GptBlock(width, heads, context, dropout) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(width)
        residual_std = 0.02 / math.sqrt(2 * layers)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("c_proj.weight"):
                    p.normal_(0, residual_std)
                elif name.endswith(".bias") and "ln_" not in name:
                    p.zero_()
                elif p.dim() == 2:
                    p.normal_(0, 0.02)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.drop(self.wte(idx) + self.wpe(torch.arange(t, dtype=torch.long)))
        for block in self.h:
            x = block(x)
        return F.linear(self.ln_f(x), self.wte.weight)  # tied head


# ---- the timed loops ----

def status_mb(key):
    """A line of /proc/self/status in MB: VmRSS (now) or VmHWM (high water), the counters gptnas's side reads."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1]) / 1024.0  # kB
    return float("nan")


def baseline_rss_mb():
    """The resident set after imports, model and data, with the high-water mark reset to it (Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return status_mb("VmRSS:")


def peak_rss_mb():
    return status_mb("VmHWM:")


def blas_library():
    """The BLAS that libblas.so.3 resolves to in this process (Debian's alternatives pick it)."""
    try:
        with open("/proc/self/maps") as maps:
            libs = sorted({os.path.realpath(line.split()[-1]) for line in maps if "blas" in os.path.basename(line.split()[-1]).lower()})
        return ", ".join(os.path.basename(os.path.dirname(p)) + "/" + os.path.basename(p) for p in libs) or "none loaded"
    except OSError:
        return "unknown"


def run_cnn():
    shape, classes = {"cnn32": (3, 32, 32), "cnn28": (1, 28, 28), "resnet18": (3, 32, 32)}[args.case], 10
    model = resnet18(shape[0], classes) if args.case == "resnet18" else resnet8w(shape[0], classes)
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    generator = torch.Generator().manual_seed(1)
    batches = [(torch.randn(args.batch, *shape, generator=generator).contiguous(memory_format=memory_format),
                torch.randint(0, classes, (args.batch,), generator=generator)) for _ in range(4)]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4, nesterov=True)
    loss_function = nn.CrossEntropyLoss()
    model.train()
    correct = 0
    baseline = baseline_rss_mb()

    phases = ["forward", "loss + item", "zero_grad", "backward", "optimizer step", "accuracy"]
    totals = [0.0] * len(phases)

    def step(i):
        nonlocal correct
        marks = [time.perf_counter()]
        for group in optimizer.param_groups:
            group["lr"] = 0.01
        images, labels = batches[i % len(batches)]
        logits = model(images)
        marks.append(time.perf_counter())
        loss = loss_function(logits, labels)
        value = loss.item()
        if not math.isfinite(value):
            raise RuntimeError(f"loss became {value}")
        marks.append(time.perf_counter())
        optimizer.zero_grad()
        marks.append(time.perf_counter())
        loss.backward()
        marks.append(time.perf_counter())
        optimizer.step()
        marks.append(time.perf_counter())
        correct += (logits.argmax(1) == labels).sum().item()
        marks.append(time.perf_counter())
        if i >= args.warmup:
            for p in range(len(phases)):
                totals[p] += marks[p + 1] - marks[p]

    result = timed(step, args.batch, "images")
    result["baseline_rss_mb"] = baseline
    if args.profile:
        print(f"{args.case}: {result['rate']:.1f} images/s, {1000 * result['seconds'] / args.steps:.1f} ms per step, peak RSS {peak_rss_mb():.0f} MB")
        for name, total in zip(phases, totals):
            print(f"  {name:<15} {1000 * total / args.steps:8.2f} ms  {100 * total / result['seconds']:5.1f} %")
        sys.exit(0)
    return result


def run_gpt():
    vocabulary, context = 512, 10
    model = Gpt(vocabulary, context=context, dropout=args.dropout)
    generator = torch.Generator().manual_seed(1)
    batches = [(torch.randint(3, vocabulary, (args.batch, context), generator=generator),
                torch.randint(3, vocabulary, (args.batch * context,), generator=generator)) for _ in range(4)]
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    parameters = list(model.parameters())
    model.train()
    baseline = baseline_rss_mb()

    phases = ["forward", "loss", "zero_grad", "backward", "clip", "optimizer step", "loss.item"]
    totals = [0.0] * len(phases)

    def step(i):
        marks = [time.perf_counter()]
        x, y = batches[i % len(batches)]
        logits = model(x)
        marks.append(time.perf_counter())
        loss = F.cross_entropy(logits.view(-1, vocabulary), y, ignore_index=-100)
        marks.append(time.perf_counter())
        optimizer.zero_grad()
        marks.append(time.perf_counter())
        loss.backward()
        marks.append(time.perf_counter())
        nn.utils.clip_grad_norm_(parameters, 1.0)
        marks.append(time.perf_counter())
        optimizer.step()
        marks.append(time.perf_counter())
        loss.item()
        marks.append(time.perf_counter())
        if i >= args.warmup:
            for p in range(len(phases)):
                totals[p] += marks[p + 1] - marks[p]

    # gptnas's GPT trainer times whole epochs, so the bench gives it epochs of GPT_CHUNK steps; the same chunks here.
    result = timed(step, args.batch * context, "tokens", chunk=GPT_CHUNK)
    result["baseline_rss_mb"] = baseline
    if args.profile:
        print(f"gpt: {result['rate']:.0f} tokens/s, {1000 * result['seconds'] / args.steps:.2f} ms per step, dropout {args.dropout}")
        for name, total in zip(phases, totals):
            print(f"  {name:<15} {1000 * total / args.steps:8.3f} ms  {100 * total / result['seconds']:5.1f} %")
        with torch.autograd.profiler.profile() as profile:
            for i in range(args.steps):
                step(args.warmup + i)
        print(f"torch.autograd.profiler over {args.steps} more steps, operators by self CPU time:")
        print(profile.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))
        sys.exit(0)
    return result


GPT_CHUNK = 5


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def timed(step, per_step, unit, chunk=1):
    """The rate over all timed steps, of the median step (robust to a slow spell of a shared machine) and of
    the fastest step (what the code does when the machine leaves it alone); with chunk > 1, of the median and
    fastest run of that many consecutive steps instead (the GPT, as gptnas's side must time it)."""
    for i in range(args.warmup):
        step(i)
    start = time.perf_counter()
    times = []
    for i in range(args.steps):
        before = time.perf_counter()
        step(args.warmup + i)
        times.append(time.perf_counter() - before)
    seconds = time.perf_counter() - start
    spans = [sum(times[i:i + chunk]) for i in range(0, len(times) - chunk + 1, chunk)]
    rate = args.steps * per_step / seconds
    return {"rate": rate, "median_step_rate": chunk * per_step / median(spans), "best_step_rate": chunk * per_step / min(spans),
            "unit": f"{unit}/s", "seconds": seconds}


result = run_gpt() if args.case == "gpt" else run_cnn()
result.update({
    "side": "pytorch",
    "case": args.case,
    "steps": args.steps,
    "warmup": args.warmup,
    "peak_rss_mb": peak_rss_mb(),
    "settings": {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "allocator": "glibc malloc, " + ("GLIBC_TUNABLES=" + os.environ["GLIBC_TUNABLES"] if os.environ.get("GLIBC_TUNABLES") else "default thresholds"),
        "omp_wait": ", ".join(f"{k}={os.environ[k]}" for k in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT") if k in os.environ)
                    or "libgomp default (300,000 spins, about 3 ms, then sleep)",
        "memory_format": "channels_last" if args.channels_last else "contiguous",
        "onednn_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", "oneDNN's own choice"),
    },
})
if args.case == "gpt":
    result["settings"]["gpt_dropout"] = args.dropout
print(json.dumps(result))
