#!/usr/bin/python3
"""The reference recipe of docs/training-parity.md written independently in PyTorch.

CIFAR-layout plain and residual nets (He et al. 2016, Sec. 4.2: 6n+2 layers, 16/32/64 filters,
option-A shortcuts: stride-2 subsampling and zero channels), kaiming_normal_ (fan-in) weights,
BN eps 1e-5 / momentum 0.1 (resnet-lab's 0.9 in Keras' convention), SGD with momentum 0.9 and
coupled weight decay 1e-4 on every parameter, step schedule, batch 128, per-channel normalisation,
no augmentation. Prints one JSON line per epoch, like scripts/reference/resnet-lab-run.ts.

    python3 scripts/reference/torch_reference.py --family cifar-resnet --depth 44 --seed 0

With --state DIR (written by scripts/reference/export-state.ts) it starts from resnet-lab's initial
weights and trains on resnet-lab's normalised images in resnet-lab's data order, so that the two
implementations can be compared step by step; --perturb EPS then multiplies every initial weight by
(1 + EPS * N(0, 1)), the baseline for how fast two float32 runs drift apart on their own.

Needs PyTorch (Debian: apt-get install python3-torch); the data are Debian's Fashion-MNIST files.
"""
import argparse
import gzip
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, 'rb') if path.endswith('.gz') else open(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(directory, name):
    for candidate in (name, name + '.gz'):
        if os.path.exists(os.path.join(directory, candidate)):
            return os.path.join(directory, candidate)
    raise FileNotFoundError(os.path.join(directory, name))


class Block(nn.Module):
    def __init__(self, cin, cout, stride, residual):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.residual = residual
        self.stride = stride
        self.extra = cout - cin

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if self.residual:
            s = x[:, :, ::self.stride, ::self.stride] if self.stride > 1 else x
            if self.extra:
                s = F.pad(s, (0, 0, 0, 0, 0, self.extra))  # option A: zero channels
            y = y + s
        return F.relu(y)


class CifarNet(nn.Module):
    def __init__(self, depth, residual, channels, classes):
        super().__init__()
        n = (depth - 2) // 6
        self.stem = nn.Conv2d(channels, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for stage, cout in enumerate((16, 32, 64)):
            for i in range(n):
                blocks.append(Block(cin, cout, 2 if stage > 0 and i == 0 else 1, residual))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, classes)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, mode='fan_in', nonlinearity='relu')
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.blocks(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def load_state(directory, model, perturb):
    """resnet-lab's starting point: weights in tfjs layout (conv HWIO, dense IO), data NHWC."""
    with open(os.path.join(directory, 'meta.json')) as f:
        meta = json.load(f)
    flat = np.fromfile(os.path.join(directory, 'weights.bin'), dtype=np.float32)
    params = list(model.parameters())
    if len(params) != len(meta['weights']):
        raise ValueError(f"{len(meta['weights'])} weights in {directory}, the model has {len(params)}")
    noise = torch.Generator().manual_seed(12345)
    offset = 0
    with torch.no_grad():
        for p, w in zip(params, meta['weights']):
            size = int(np.prod(w['shape']))
            t = torch.from_numpy(flat[offset:offset + size].reshape(w['shape']).copy())
            offset += size
            if t.dim() == 4:
                t = t.permute(3, 2, 0, 1)
            elif t.dim() == 2:
                t = t.t()
            if tuple(t.shape) != tuple(p.shape):
                raise ValueError(f"{w['name']}: shape {tuple(t.shape)} where the model has {tuple(p.shape)}")
            if perturb:
                t = t * (1 + perturb * torch.randn(t.shape, generator=noise))
            p.copy_(t)

    def images(name, count):
        x = np.fromfile(os.path.join(directory, f'{name}-x.bin'), dtype=np.float32)
        x = x.reshape(count, meta['height'], meta['width'], meta['channels'])
        y = np.fromfile(os.path.join(directory, f'{name}-y.bin'), dtype=np.int32).astype(np.int64)
        return torch.from_numpy(x.transpose(0, 3, 1, 2).copy()), torch.from_numpy(y)

    x_train, y_train = images('train', meta['trainCount'])
    x_valid, y_valid = images('validation', meta['validationCount'])
    orders = np.fromfile(os.path.join(directory, 'orders.bin'), dtype=np.uint32)
    orders = orders.reshape(meta['epochs'], meta['trainCount']).astype(np.int64)
    return x_train, y_train, x_valid, y_valid, orders


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--family', default='cifar-resnet', choices=['cifar-resnet', 'cifar-plain'])
    p.add_argument('--depth', type=int, default=20)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--epochs', type=int, default=12)
    p.add_argument('--milestones', default='6,9')
    p.add_argument('--subset', type=int, default=10000)
    p.add_argument('--validation', type=int, default=2000)
    p.add_argument('--split-seed', type=int, default=0, help='which images are held out and trained on')
    p.add_argument('--lr', type=float, default=0.1)
    p.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--state', help='start from resnet-lab\'s weights, data and order (export-state.ts)')
    p.add_argument('--perturb', type=float, default=0.0)
    p.add_argument('--steps-out', help='one line per iteration: {"step", "loss"}')
    p.add_argument('--drop-last', action='store_true', help='leave out each epoch\'s last, incomplete batch')
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)

    model = CifarNet(a.depth, a.family == 'cifar-resnet', 1, 10)
    orders = None
    if a.state:
        x_train, y_train, x_valid, y_valid, orders = load_state(a.state, model, a.perturb)
    else:
        x_train, y_train, x_valid, y_valid = own_data(a)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, weight_decay=1e-4)
    milestones = [int(m) for m in a.milestones.split(',')]
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=0.1)
    steps_out = open(a.steps_out, 'w', buffering=1) if a.steps_out else None
    step = 0
    for epoch in range(1, a.epochs + 1):
        model.train()
        order = torch.from_numpy(orders[epoch - 1] if orders is not None else rng.permutation(len(x_train)))
        loss_sum, wrong = 0.0, 0
        end = len(order) - len(order) % 128 if a.drop_last and len(order) >= 128 else len(order)
        for start in range(0, end, 128):
            idx = order[start:start + 128]
            out = model(x_train[idx])
            loss = F.cross_entropy(out, y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            step += 1
            if steps_out:
                steps_out.write(json.dumps({'step': step, 'loss': loss.item()}) + '\n')
            wrong += (out.argmax(1) != y_train[idx]).sum().item()
        sched.step()
        model.eval()
        with torch.no_grad():
            v_wrong = sum((model(x_valid[s:s + 500]).argmax(1) != y_valid[s:s + 500]).sum().item()
                          for s in range(0, len(x_valid), 500))
        print(json.dumps({'epoch': epoch, 'trainError': wrong / end,
                          'validationError': v_wrong / len(x_valid), 'trainLoss': loss_sum / end}),
              flush=True)


def own_data(a):
    """A hold-out fixed by --split-seed (like resnet-lab's splitSeed), then `subset` of the rest."""
    images = read_idx(find(a.data, 'train-images-idx3-ubyte')).astype(np.float32)
    labels = read_idx(find(a.data, 'train-labels-idx1-ubyte')).astype(np.int64)
    perm = np.random.default_rng(a.split_seed).permutation(len(images))
    valid_idx, train_idx = perm[:a.validation], perm[a.validation:a.validation + a.subset]
    x_train, y_train = images[train_idx], labels[train_idx]
    x_valid, y_valid = images[valid_idx], labels[valid_idx]
    mean, std = x_train.mean(), x_train.std()
    to_tensor = lambda x: torch.from_numpy((x - mean) / std).unsqueeze(1)
    return to_tensor(x_train), torch.from_numpy(y_train), to_tensor(x_valid), torch.from_numpy(y_valid)


if __name__ == '__main__':
    main()
