#!/usr/bin/python3
"""airbench94 (Keller Jordan, 2024, MIT licence; github.com/KellerJordan/cifar10-airbench, legacy/airbench94.py) on
this CPU and on a CIFAR-10 copy in image folders, to tell what the reference recipe reaches on the same data as
`gptnas train --arch airbench94 --set recipe=airbench --set whiten=true`.

The network, optimizer, schedule, lookahead, augmentation and test-time augmentation are airbench94's, line for line;
what changes is only what a CPU and this data need:
- the data: read from `train/<class>/*.jpg` and `test/<class>/*.jpg` (a folder or the .tar.gz holding one), class
  folders in alphabetical order as label ids, instead of torchvision's binary download;
- precision: float32, or bfloat16 autocast with --bf16 (airbench runs float16 on a GPU); BatchNorm stays float32;
- timing: wall clock instead of CUDA events; the seed is set per run;
- the whitening's patch covariance summed in float64 (in float32 OpenBLAS's sums over 4.8 million patches give
  negative eigenvalues, and the whitening NaN), and the images in one fixed random order, as the binary release's are.

    apt-get install -y python3-torch python3-pil      # Debian's PyTorch lives only under /usr/bin/python3
    nice /usr/bin/python3 bench/peer/airbench94_cpu.py --data ../shared/datasets/cifar10-jpg.tar.gz --seeds 0 --bf16

Prints airbench's per-epoch table, then one JSON line per seed: test top-1 without and with test-time augmentation,
wall seconds of training (airbench's count: whitening init, training steps and the final TTA evaluation).
"""
import argparse
import io
import json
import os
import tarfile
import time
from collections import OrderedDict
from math import ceil

import numpy as np
from PIL import Image

p = argparse.ArgumentParser()
p.add_argument("--data", required=True, help="a folder with train/ and test/ class folders, or a .tar.gz of one")
p.add_argument("--seeds", default="0", help="comma-separated seeds, one training each")
p.add_argument("--epochs", type=float, default=9.9, help="airbench94's 9.9 unless given")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--bf16", action="store_true", help="bfloat16 autocast for the convolutions and the classifier")
p.add_argument("--as-gptnas", default="", help="comma-separated parts of the network written as gptnas's airbench94 writes "
               "them, to measure each difference: order (BatchNorm and GELU before each pool), whiten_bn (a BatchNorm after the "
               "whitening conv instead of its bias), init (convolutions kaiming normal fan_out instead of PyTorch's default with "
               "the identity in the first filters)")
p.add_argument("--cache", default=os.path.join(os.environ.get("GPTNAS_CACHE", os.path.expanduser("~/.cache/gptnas")), "airbench-peer"))
args = p.parse_args()
as_gptnas = set(filter(None, args.as_gptnas.split(",")))
unknown = as_gptnas - {"order", "whiten_bn", "init"}
if unknown:
    p.error(f"--as-gptnas: unknown parts {sorted(unknown)}; known: order, whiten_bn, init")
os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

import torch  # noqa: E402
from torch import nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)

hyp = {
    'opt': {
        'train_epochs': args.epochs,
        'batch_size': 1024,
        'lr': 11.5,                 # learning rate per 1024 examples
        'momentum': 0.85,
        'weight_decay': 0.0153,     # weight decay per 1024 examples (decoupled from learning rate)
        'bias_scaler': 64.0,        # scales up learning rate (but not weight decay) for BatchNorm biases
        'label_smoothing': 0.2,
        'whiten_bias_epochs': 3,    # how many epochs to train the whitening layer bias before freezing
    },
    'aug': {'flip': True, 'translate': 2},
    'net': {
        'widths': {'block1': 64, 'block2': 256, 'block3': 256},
        'batchnorm_momentum': 0.6,
        'scaling_factor': 1/9,
        'tta_level': 2,
    },
}

CIFAR_MEAN = torch.tensor((0.4914, 0.4822, 0.4465))
CIFAR_STD = torch.tensor((0.2470, 0.2435, 0.2616))


def autocast():
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16)


# ---- data: the JPEG folders, decoded once and cached as uint8 tensors ----

def read_split(split):
    """(images NHWC uint8, labels) of one split, from a folder or a .tar.gz; classes in alphabetical order."""
    entries = []  # (class name, file name, bytes)
    if os.path.isdir(args.data):
        root = os.path.join(args.data, split)
        for name in sorted(os.listdir(root)):
            for file in sorted(os.listdir(os.path.join(root, name))):
                with open(os.path.join(root, name, file), "rb") as f:
                    entries.append((name, file, f.read()))
    else:
        with tarfile.open(args.data) as tar:
            for member in tar:
                parts = member.name.split("/")
                if member.isfile() and split in parts and parts.index(split) == len(parts) - 3:
                    entries.append((parts[-2], parts[-1], tar.extractfile(member).read()))
    classes = sorted({c for c, _, _ in entries})
    entries.sort(key=lambda e: (e[0], e[1]))
    images = np.stack([np.asarray(Image.open(io.BytesIO(b)).convert("RGB")) for _, _, b in entries])
    labels = np.array([classes.index(c) for c, _, _ in entries])
    return torch.from_numpy(images), torch.from_numpy(labels), classes


def load(split):
    os.makedirs(args.cache, exist_ok=True)
    key = os.path.basename(os.path.normpath(args.data)).replace(".tar.gz", "")
    path = os.path.join(args.cache, f"{key}-{split}.pt")
    if not os.path.exists(path):
        images, labels, classes = read_split(split)
        torch.save({'images': images, 'labels': labels, 'classes': classes}, path)
    data = torch.load(path)
    # The folders are sorted by class; the binary release is in a fixed random order, and airbench whitens from its first
    # 5,000 training images, so the images are put in one fixed random order (the same for every seed).
    order = torch.randperm(len(data['labels']), generator=torch.Generator().manual_seed(0))
    return {'images': data['images'][order], 'labels': data['labels'][order], 'classes': data['classes']}


def batch_flip_lr(inputs):
    flip_mask = (torch.rand(len(inputs)) < 0.5).view(-1, 1, 1, 1)
    return torch.where(flip_mask, inputs.flip(-1), inputs)


def batch_crop(images, crop_size):
    r = (images.size(-1) - crop_size)//2
    shifts = torch.randint(-r, r+1, size=(len(images), 2))
    images_out = torch.empty((len(images), 3, crop_size, crop_size), dtype=images.dtype)
    for sy in range(-r, r+1):
        for sx in range(-r, r+1):
            mask = (shifts[:, 0] == sy) & (shifts[:, 1] == sx)
            images_out[mask] = images[mask, :, r+sy:r+sy+crop_size, r+sx:r+sx+crop_size]
    return images_out


class CifarLoader:
    def __init__(self, data, train=True, batch_size=500, aug=None):
        self.images, self.labels = data['images'], data['labels']
        self.images = (self.images.float() / 255).permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
        self.proc_images = {}
        self.epoch = 0
        self.aug = aug or {}
        self.batch_size = batch_size
        self.drop_last = train
        self.shuffle = train

    def normalize(self, images):
        return (images - CIFAR_MEAN.view(1, 3, 1, 1)) / CIFAR_STD.view(1, 3, 1, 1)

    def __len__(self):
        return len(self.images)//self.batch_size if self.drop_last else ceil(len(self.images)/self.batch_size)

    def __iter__(self):
        if self.epoch == 0:
            images = self.proc_images['norm'] = self.normalize(self.images)
            if self.aug.get('flip', False):
                images = self.proc_images['flip'] = batch_flip_lr(images)
            pad = self.aug.get('translate', 0)
            if pad > 0:
                self.proc_images['pad'] = F.pad(images, (pad,)*4, 'reflect')
        if self.aug.get('translate', 0) > 0:
            images = batch_crop(self.proc_images['pad'], self.images.shape[-2])
        elif self.aug.get('flip', False):
            images = self.proc_images['flip']
        else:
            images = self.proc_images['norm']
        if self.aug.get('flip', False) and self.epoch % 2 == 1:
            images = images.flip(-1)
        self.epoch += 1
        indices = (torch.randperm if self.shuffle else torch.arange)(len(images))
        for i in range(len(self)):
            idxs = indices[i*self.batch_size:(i+1)*self.batch_size]
            yield (images[idxs].contiguous(memory_format=torch.channels_last), self.labels[idxs])


# ---- the network, as airbench94 defines it ----

class Flatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


class Mul(nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def forward(self, x):
        return x * self.scale


class BatchNorm(nn.BatchNorm2d):
    def __init__(self, num_features, momentum, eps=1e-12, weight=False, bias=True):
        super().__init__(num_features, eps=eps, momentum=1-momentum)
        self.weight.requires_grad = weight
        self.bias.requires_grad = bias


class Conv(nn.Conv2d):
    def __init__(self, in_channels, out_channels, kernel_size=3, padding='same', bias=False):
        super().__init__(in_channels, out_channels, kernel_size=kernel_size, padding=padding, bias=bias)

    def reset_parameters(self):
        super().reset_parameters()
        if self.bias is not None:
            self.bias.data.zero_()
        w = self.weight.data
        if "init" in as_gptnas:
            torch.nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
        else:
            torch.nn.init.dirac_(w[:w.size(1)])


class ConvGroup(nn.Module):
    def __init__(self, channels_in, channels_out, batchnorm_momentum):
        super().__init__()
        self.conv1 = Conv(channels_in, channels_out)
        self.pool = nn.MaxPool2d(2)
        self.norm1 = BatchNorm(channels_out, batchnorm_momentum)
        self.conv2 = Conv(channels_out, channels_out)
        self.norm2 = BatchNorm(channels_out, batchnorm_momentum)
        self.activ = nn.GELU()

    def forward(self, x):
        if "order" in as_gptnas:
            x = self.pool(self.activ(self.norm1(self.conv1(x))))
        else:
            x = self.activ(self.norm1(self.pool(self.conv1(x))))
        return self.activ(self.norm2(self.conv2(x)))


def make_net():
    widths = hyp['net']['widths']
    momentum = hyp['net']['batchnorm_momentum']
    whiten_kernel_size = 2
    whiten_width = 2 * 3 * whiten_kernel_size**2
    whiten_bn = "whiten_bn" in as_gptnas
    net = nn.Sequential(
        # named so that its shift is among the 'norm' biases, at 64x the rate as in gptnas
        nn.Sequential(OrderedDict(conv=Conv(3, whiten_width, whiten_kernel_size, padding=0, bias=False), norm=BatchNorm(whiten_width, momentum)))
        if whiten_bn else Conv(3, whiten_width, whiten_kernel_size, padding=0, bias=True),
        nn.GELU(),
        ConvGroup(whiten_width, widths['block1'], momentum),
        ConvGroup(widths['block1'], widths['block2'], momentum),
        ConvGroup(widths['block2'], widths['block3'], momentum),
        nn.MaxPool2d(3),
        Flatten(),
        nn.Linear(widths['block3'], 10, bias=False),
        Mul(hyp['net']['scaling_factor']),
    )
    whitening(net).weight.requires_grad = False
    return net.to(memory_format=torch.channels_last)


def whitening(model):
    """The patch-whitening conv: the network's first layer, or the conv before its BatchNorm."""
    return model[0].conv if isinstance(model[0], nn.Sequential) else model[0]


def get_patches(x, patch_shape):
    c, (h, w) = x.shape[1], patch_shape
    return x.unfold(2, h, 1).unfold(3, w, 1).transpose(1, 3).reshape(-1, c, h, w).float()


def get_whitening_parameters(patches):
    n, c, h, w = patches.shape
    patches_flat = patches.view(n, -1).double()  # float32 sums over 4.8 million patches go negative in OpenBLAS
    est_patch_covariance = (patches_flat.T @ patches_flat) / n
    eigenvalues, eigenvectors = torch.linalg.eigh(est_patch_covariance, UPLO='U')
    eigenvalues, eigenvectors = eigenvalues.float(), eigenvectors.float()
    return eigenvalues.flip(0).view(-1, 1, 1, 1), eigenvectors.T.reshape(c*h*w, c, h, w).flip(0)


def init_whitening_conv(layer, train_set, eps=5e-4):
    patches = get_patches(train_set, patch_shape=layer.weight.data.shape[2:])
    eigenvalues, eigenvectors = get_whitening_parameters(patches)
    eigenvectors_scaled = eigenvectors / torch.sqrt(eigenvalues + eps)
    layer.weight.data[:] = torch.cat((eigenvectors_scaled, -eigenvectors_scaled))


class LookaheadState:
    def __init__(self, net):
        self.net_ema = {k: v.clone() for k, v in net.state_dict().items()}

    def update(self, net, decay):
        for ema_param, net_param in zip(self.net_ema.values(), net.state_dict().values()):
            if net_param.dtype in (torch.half, torch.float):
                ema_param.lerp_(net_param, 1-decay)
                net_param.copy_(ema_param)


def infer(model, loader, tta_level=0):
    def infer_basic(inputs, net):
        return net(inputs).float()

    def infer_mirror(inputs, net):
        return 0.5 * net(inputs).float() + 0.5 * net(inputs.flip(-1)).float()

    def infer_mirror_translate(inputs, net):
        logits = infer_mirror(inputs, net)
        padded_inputs = F.pad(inputs, (1,)*4, 'reflect')
        inputs_translate_list = [padded_inputs[:, :, 0:32, 0:32], padded_inputs[:, :, 2:34, 2:34]]
        logits_translate = torch.stack([infer_mirror(t, net) for t in inputs_translate_list]).mean(0)
        return 0.5 * logits + 0.5 * logits_translate

    model.eval()
    test_images = loader.normalize(loader.images)
    infer_fn = [infer_basic, infer_mirror, infer_mirror_translate][tta_level]
    with torch.no_grad(), autocast():
        return torch.cat([infer_fn(inputs.contiguous(memory_format=torch.channels_last), model) for inputs in test_images.split(2000)])


def evaluate(model, loader, tta_level=0):
    logits = infer(model, loader, tta_level)
    return (logits.argmax(1) == loader.labels).float().mean().item()


def main(seed, train_data, test_data):
    torch.manual_seed(seed)
    batch_size = hyp['opt']['batch_size']
    epochs = hyp['opt']['train_epochs']
    momentum = hyp['opt']['momentum']
    kilostep_scale = 1024 * (1 + 1 / (1 - momentum))
    lr = hyp['opt']['lr'] / kilostep_scale
    wd = hyp['opt']['weight_decay'] * batch_size / kilostep_scale
    lr_biases = lr * hyp['opt']['bias_scaler']

    loss_fn = nn.CrossEntropyLoss(label_smoothing=hyp['opt']['label_smoothing'], reduction='none')
    test_loader = CifarLoader(test_data, train=False, batch_size=2000)
    train_loader = CifarLoader(train_data, train=True, batch_size=batch_size, aug=hyp['aug'])
    total_train_steps = ceil(len(train_loader) * epochs)

    model = make_net()
    current_steps = 0
    norm_biases = [p for k, p in model.named_parameters() if 'norm' in k and p.requires_grad]
    other_params = [p for k, p in model.named_parameters() if 'norm' not in k and p.requires_grad]
    param_configs = [dict(params=norm_biases, lr=lr_biases, weight_decay=wd/lr_biases),
                     dict(params=other_params, lr=lr, weight_decay=wd/lr)]
    optimizer = torch.optim.SGD(param_configs, momentum=momentum, nesterov=True)

    def get_lr(step):
        warmup_steps = int(total_train_steps * 0.23)
        warmdown_steps = total_train_steps - warmup_steps
        if step < warmup_steps:
            frac = step / warmup_steps
            return 0.2 * (1 - frac) + 1.0 * frac
        frac = (step - warmup_steps) / warmdown_steps
        return 1.0 * (1 - frac) + 0.07 * frac
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, get_lr)

    alpha_schedule = 0.95**5 * (torch.arange(total_train_steps+1) / total_train_steps)**3
    lookahead_state = LookaheadState(model)

    total_time_seconds = 0.0
    start = time.perf_counter()
    init_whitening_conv(whitening(model), train_loader.normalize(train_loader.images[:5000]))
    total_time_seconds += time.perf_counter() - start

    for epoch in range(ceil(epochs)):
        if whitening(model).bias is not None:
            whitening(model).bias.requires_grad = (epoch < hyp['opt']['whiten_bias_epochs'])
        start = time.perf_counter()
        model.train()
        for inputs, labels in train_loader:
            with autocast():
                outputs = model(inputs)
            loss = loss_fn(outputs.float(), labels).sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            current_steps += 1
            if current_steps % 5 == 0:
                lookahead_state.update(model, decay=alpha_schedule[current_steps].item())
            if current_steps >= total_train_steps:
                lookahead_state.update(model, decay=1.0)
                break
        total_time_seconds += time.perf_counter() - start
        train_acc = (outputs.detach().argmax(1) == labels).float().mean().item()
        val_acc = evaluate(model, test_loader, tta_level=0)
        print(f"seed {seed} epoch {epoch + 1}: train loss {loss.item() / batch_size:.4f}, last-batch train acc {train_acc:.4f}, "
              f"test acc {val_acc:.4f}, {total_time_seconds:.0f} s", flush=True)

    start = time.perf_counter()
    tta_val_acc = evaluate(model, test_loader, tta_level=hyp['net']['tta_level'])
    total_time_seconds += time.perf_counter() - start
    return val_acc, tta_val_acc, total_time_seconds


if __name__ == "__main__":
    train_data, test_data = load("train"), load("test")
    print(f"train {len(train_data['labels'])}, test {len(test_data['labels'])}, classes {train_data['classes']}", flush=True)
    for seed in [int(s) for s in args.seeds.split(",")]:
        top1, tta, seconds = main(seed, train_data, test_data)
        print(json.dumps({"seed": seed, "epochs": args.epochs, "as_gptnas": sorted(as_gptnas), "bf16": args.bf16, "threads": args.threads, "torch": torch.__version__,
                          "test_top1": round(100 * top1, 2), "test_top1_tta": round(100 * tta, 2), "seconds": round(seconds, 1)}), flush=True)
