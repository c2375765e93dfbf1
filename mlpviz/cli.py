"""The ``mlpviz`` command: opens the app, or runs a headless subcommand."""

from __future__ import annotations

import argparse
import sys

from mlpviz import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlpviz",
        description="Watch a multi-layer perceptron learn, one backpropagation step at a time.",
    )
    parser.add_argument("--version", action="version", version=f"mlpviz {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    del args
    return 0
