#!/usr/bin/env python3
"""Writes data/fashion-mnist-small/: the first 6,000 train and 1,000 test images of Fashion-MNIST as
IDX gzip files, the small data set gptnas uses by default (name `fashion-mnist-small`).

Usage: python3 data/make-fashion-mnist-small.py [SOURCE_DIR] [OUTPUT_DIR]
  SOURCE_DIR  a folder with the four standard Fashion-MNIST IDX files (default /work/shared/datasets/fashion-mnist)
  OUTPUT_DIR  default: fashion-mnist-small/ next to this script

The gzip header carries no file name and mtime 0, so reruns give byte-identical files.
"""
import gzip
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets/fashion-mnist"
OUTPUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "fashion-mnist-small")
COUNTS = {"train": 6000, "t10k": 1000}


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read()


def first_images(raw, n, name):
    magic, count, rows, cols = struct.unpack(">IIII", raw[:16])
    if magic != 0x803 or count < n:
        sys.exit(f"{name}: expected IDX images with at least {n} images, got magic {magic:#x}, count {count}")
    return struct.pack(">IIII", magic, n, rows, cols) + raw[16:16 + n * rows * cols]


def first_labels(raw, n, name):
    magic, count = struct.unpack(">II", raw[:8])
    if magic != 0x801 or count < n:
        sys.exit(f"{name}: expected IDX labels with at least {n} labels, got magic {magic:#x}, count {count}")
    return struct.pack(">II", magic, n) + raw[8:8 + n]


def write(path, data):
    # filename='' and mtime=0: deterministic output, so the committed files only change when the data does.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
        f.write(data)


def main():
    os.makedirs(OUTPUT, exist_ok=True)
    for split, n in COUNTS.items():
        for kind, take in (("images-idx3-ubyte", first_images), ("labels-idx1-ubyte", first_labels)):
            name = f"{split}-{kind}.gz"
            write(os.path.join(OUTPUT, name), take(read(os.path.join(SOURCE, name)), n, name))
            print(f"wrote {os.path.join(OUTPUT, name)}")


if __name__ == "__main__":
    main()
