"""`yuqing bench`: run the benchmarks in `bench/` and print their figures beside their baselines."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import bench


def _available() -> list[str]:
    return sorted(
        m.name.removesuffix("_bench")
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name.endswith("_bench")
    )


def bench_command(
    names: list[str] = typer.Argument(None, help="Benchmarks to run (default: all). `--list` shows them."),
    list_only: bool = typer.Option(False, "--list", help="List the benchmarks and exit."),
    quick: bool = typer.Option(False, "--quick", help="Smaller inputs, for a smoke run."),
) -> None:
    """Run benchmarks; each prints its figures side by side with its baseline (and the ratio).

    Exit 0 when every benchmark ran, 1 when one failed, 2 for an unknown name.
    """
    available = _available()
    if list_only:
        typer.echo("\n".join(available))
        return
    chosen = names or available
    unknown = [n for n in chosen if n not in available]
    if unknown:
        typer.echo(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", err=True)
        raise typer.Exit(2)
    failed = False
    for name in chosen:
        typer.echo(f"== bench {name}")
        module = importlib.import_module(f"bench.{name}_bench")
        try:
            module.main(quick=quick)
        except Exception as exc:  # report and go on: one broken benchmark should not hide the others
            typer.echo(f"bench {name} failed: {exc}", err=True)
            failed = True
    if failed:
        raise typer.Exit(1)
