"""A network found by gptnas, in plain torch.nn, with the parameter names of gptnas's TorchSharp modules.

Written by `gptnas export --format pytorch` next to the weights (model.pt, a state dict). Two lines load it:

    from gptnas_model import load
    net = load()              # eval mode; net(images) -> logits, images (N, C, H, W) normalized as below

Inputs: pixels scaled to [0, 1], then (x - MEAN) / STD per channel (`normalize` does it); outputs are logits in
the order of CLASSES. Each block class mirrors torchvision's, as gptnas builds it (src/GptNas.Torch/Networks/).
"""
import os
from collections import OrderedDict

import torch
from torch import nn

ARCHITECTURE = """{{ARCHITECTURE}}"""
CLASSES = {{CLASSES}}
MEAN = {{MEAN}}
STD = {{STD}}
WEIGHTS = "model.pt"


def _activation(name):
    return {"relu": nn.ReLU(inplace=True), "silu": nn.SiLU(), "gelu": nn.GELU(), "none": None}[name]


class ConvNormActivation(nn.Sequential):
    """torchvision.ops.Conv2dNormActivation: conv (padding (k-1)/2, no bias), BN, optional activation; without a norm the
    conv has a bias (norm_layer=None); a pool > 1 puts a max-pool between the conv and the BN (airbench's conv groups)."""

    def __init__(self, cin, cout, kernel=3, stride=1, groups=1, act="relu", pool=1, norm="batch"):
        layers = [nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=norm == "none")]
        if pool > 1:
            layers.append(nn.MaxPool2d(pool, pool))
        if norm == "batch":
            layers.append(nn.BatchNorm2d(cout))
        if act != "none":
            layers.append(_activation(act))
        super().__init__(*layers)


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, squeeze, act="relu"):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.activation = _activation(act)

    def forward(self, x):
        return x * torch.sigmoid(self.fc2(self.activation(self.fc1(self.avgpool(x)))))


class BasicConv2d(nn.Module):
    """GoogLeNet's conv (no bias), BN (eps 1e-3), ReLU."""

    def __init__(self, cin, cout, kernel):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, padding=(kernel - 1) // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-3)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, pool):
        super().__init__()
        self.branch1 = BasicConv2d(cin, c1, 1)
        self.branch2 = nn.Sequential(BasicConv2d(cin, c3r, 1), BasicConv2d(c3r, c3, 3))
        self.branch3 = nn.Sequential(BasicConv2d(cin, c5r, 1), BasicConv2d(c5r, c5, 3))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), BasicConv2d(cin, pool, 1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


def _shortcut(cin, cout, stride):
    if stride == 1 and cin == cout:
        return None
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = _shortcut(cin, cout, stride)

    def forward(self, x):
        out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    """ResNet's Bottleneck, also ResNeXt's (groups) and Wide-ResNet's (width)."""

    def __init__(self, cin, cout, width, stride=1, groups=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.downsample = _shortcut(cin, cout, stride)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = torch.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResBottleneckBlock(nn.Module):
    """RegNet's block: f = a (1x1), b (grouped 3x3), optional se, c (1x1); proj when the shape changes."""

    def __init__(self, cin, cout, stride, group_width, bottleneck=1.0, se=0.0):
        super().__init__()
        w_b = int(round(cout * bottleneck))
        layers = [("a", ConvNormActivation(cin, w_b, 1)), ("b", ConvNormActivation(w_b, w_b, 3, stride, w_b // group_width))]
        if se > 0:
            layers.append(("se", SqueezeExcitation(w_b, max(1, int(round(se * cin))))))
        layers.append(("c", ConvNormActivation(w_b, cout, 1, act="none")))
        self.f = nn.Sequential(OrderedDict(layers))
        self.proj = ConvNormActivation(cin, cout, 1, stride, act="none") if cin != cout or stride != 1 else None

    def forward(self, x):
        return torch.relu(self.f(x) + (x if self.proj is None else self.proj(x)))


class InvertedResidual(nn.Module):
    """ShuffleNetV2's block: split (stride 1) or two branches (stride 2), concatenate, shuffle two groups."""

    def __init__(self, inp, oup, stride):
        super().__init__()
        half = oup // 2
        self.stride = stride
        if stride > 1:
            self.branch1 = nn.Sequential(
                nn.Conv2d(inp, inp, 3, stride, 1, groups=inp, bias=False), nn.BatchNorm2d(inp),
                nn.Conv2d(inp, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(inplace=True))
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if stride > 1 else half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(inplace=True),
            nn.Conv2d(half, half, 3, stride, 1, groups=half, bias=False), nn.BatchNorm2d(half),
            nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(inplace=True))

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat([x1, self.branch2(x2)], 1)
        else:
            out = torch.cat([self.branch1(x), self.branch2(x)], 1)
        b, c, h, w = out.shape
        return out.view(b, 2, c // 2, h, w).transpose(1, 2).contiguous().view(b, c, h, w)


def _block(kind, c, s):
    """One block of the architecture text taking c channels: (module, output channels)."""
    if kind == "Conv":
        return nn.Conv2d(c, s["out"], s["kernel"], s["stride"], s["padding"], groups=s["groups"], bias=s["bias"] == 1), s["out"]
    if kind == "BatchNorm":
        return nn.BatchNorm2d(c), c
    if kind == "ReLU":
        return nn.ReLU(), c
    if kind == "MaxPool":
        return nn.MaxPool2d(s["kernel"], s["stride"], s["padding"], ceil_mode=s["ceil"] == 1), c
    if kind == "AvgPool":
        return nn.AvgPool2d(s["kernel"], s["stride"], s["padding"], ceil_mode=s["ceil"] == 1), c
    if kind == "ConvNormActivation":
        return ConvNormActivation(c, s["out"], s["kernel"], s["stride"], s["groups"], s["act"], s.get("pool", 1), s.get("norm", "batch")), s["out"]
    if kind == "SqueezeExcitation":
        return SqueezeExcitation(c, s["squeeze"], s["act"]), c
    if kind == "Inception":
        out = s["c1"] + s["c3"] + s["c5"] + s["pool"]
        return Inception(c, s["c1"], s["c3r"], s["c3"], s["c5r"], s["c5"], s["pool"]), out
    if kind == "BasicBlock":
        return BasicBlock(c, s["out"], s["stride"]), s["out"]
    if kind in ("Bottleneck", "WideBottleneck"):
        return Bottleneck(c, s["out"], s["width"], s["stride"]), s["out"]
    if kind == "GroupedBottleneck":
        return Bottleneck(c, s["out"], s["width"], s["stride"], s["groups"]), s["out"]
    if kind == "ResBottleneckBlock":
        return ResBottleneckBlock(c, s["out"], s["stride"], s["group_width"], s["bottleneck"], s["se"]), s["out"]
    if kind == "SimpleStemIN":
        return ConvNormActivation(c, s["out"], 3, s["stride"]), s["out"]
    if kind == "InvertedResidual":
        return InvertedResidual(c, s["out"], s["stride"]), s["out"]
    raise ValueError(f"unknown block kind {kind}")


def _value(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse(text):
    """The architecture text: (input channels, classes, [(kind, settings)], dropout)."""
    channels, classes, blocks, dropout = None, None, [], 0.0
    for line in text.strip().splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "input":
            channels = int(words[1].split("x")[2])
        elif words[0] == "classes":
            classes = int(words[1])
        elif words[0] in ("stem", "block"):
            blocks.append((words[1], {k: _value(v) for k, v in (w.split("=", 1) for w in words[2:])}))
        elif words[0] == "head":
            dropout = float(dict(w.split("=", 1) for w in words[1:]).get("dropout", 0))
    return channels, classes, blocks, dropout


class Network(nn.Module):
    """features (stem blocks, then blocks), global average pooling, dropout, fc."""

    def __init__(self, text=ARCHITECTURE):
        super().__init__()
        c, classes, blocks, dropout = parse(text)
        features = []
        for kind, settings in blocks:
            module, c = _block(kind, c, settings)
            features.append(module)
        self.features = nn.Sequential(*features)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        x = torch.flatten(self.avgpool(self.features(x)), 1)
        if self.dropout is not None:
            x = self.dropout(x)
        return self.fc(x)


def normalize(images):
    """(N, C, H, W) pixels scaled to [0, 1] -> the network's input."""
    mean = torch.tensor(MEAN, dtype=images.dtype).view(1, -1, 1, 1)
    std = torch.tensor(STD, dtype=images.dtype).view(1, -1, 1, 1)
    return (images - mean) / std


def load(weights=None):
    """The network with its trained weights, in eval mode."""
    net = Network()
    path = weights or os.path.join(os.path.dirname(os.path.abspath(__file__)), WEIGHTS)
    net.load_state_dict(torch.load(path, map_location="cpu"))
    return net.eval()
