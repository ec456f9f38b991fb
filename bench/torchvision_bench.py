#!/usr/bin/env python3
"""torchvision's detectors on this machine, measured like bench_detector.cpp: training images/s
(batch 8, forward + backward + SGD step) and inference images/s (batch 1 and 8) at the same input
size and thread count. weights=None and weights_backbone=None: nothing is downloaded. Both models
are told min_size = max_size = the input size, so torchvision's transform does not rescale.

Run with Debian's python3-torch / python3-torchvision:
  /usr/bin/python3 bench/torchvision_bench.py [--input 352] [--iters 5] [--threads N]
"""
import argparse
import json
import os
import time

import torch
import torchvision
from torchvision.models import detection

CLASSES = 6


def random_targets(n, size, generator):
    targets = []
    for _ in range(n):
        xy = torch.rand(3, 2, generator=generator) * size * 0.6
        wh = torch.rand(3, 2, generator=generator) * size * 0.3 + size * 0.1
        boxes = torch.cat([xy, xy + wh], 1)
        labels = torch.randint(1, CLASSES + 1, (3,), generator=generator)
        targets.append({"boxes": boxes, "labels": labels})
    return targets


def seconds_per_call(iters, fn):
    fn()
    start = time.perf_counter()
    for _ in range(iters):
        fn()
    return (time.perf_counter() - start) / iters


def emit(arch, figure, batch, size, value):
    print(json.dumps({"bench": "detector", "impl": "torchvision", "arch": arch, "figure": figure,
                      "batch": batch, "input": size, "threads": torch.get_num_threads(),
                      "value": value}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=int, default=352)
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--archs", default="retinanet_resnet50_fpn,"
                                           "fasterrcnn_mobilenet_v3_large_320_fpn")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    generator = torch.Generator().manual_seed(1)
    size = args.input
    for arch in args.archs.split(","):
        # +1: torchvision counts the background as a class.
        model = getattr(detection, arch)(weights=None, weights_backbone=None,
                                         num_classes=CLASSES + 1, min_size=size, max_size=size)
        sgd = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.937)
        images = list(torch.rand(8, 3, size, size))
        targets = random_targets(8, size, generator)
        model.train()

        def step():
            sgd.zero_grad()
            losses = model(images, targets)
            sum(losses.values()).backward()
            sgd.step()

        emit(arch, "train_images_per_s", 8, size, 8 / seconds_per_call(args.iters, step))
        model.eval()
        for batch in (1, 8):
            batch_images = list(torch.rand(batch, 3, size, size))
            with torch.no_grad():
                s = seconds_per_call(args.iters, lambda: model(batch_images))
            emit(arch, "infer_images_per_s", batch, size, batch / s)


if __name__ == "__main__":
    print(f"# torch {torch.__version__}, torchvision {torchvision.__version__}", flush=True)
    main()
