"""What the Python references of `npm run bench` share: their command line (one JSON network config)
and the timing loop, so that both measure exactly as bench/train-throughput.ts does."""
import json
import sys
import time
from typing import Any, Callable, NoReturn

REQUIRED = ("inputShape", "classes", "conv", "maxPool", "fc", "filterSize", "batch", "seconds", "threads")


def seconds_per_call(fn: Callable[[], object], min_seconds: float) -> float:
    """After one warm-up call, repeats fn for at least min_seconds and 2 calls (train-throughput.ts)."""
    fn()
    calls = 0
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds or calls < 2:
        fn()
        calls += 1
    return (time.perf_counter() - start) / calls


def parse_config(script: str, argv: list[str]) -> dict[str, Any]:
    """The network config given as the one argument of bench/<script>.py; exit code 2 when it is bad."""

    def bad_arguments(message: str) -> NoReturn:
        print(f"{script}: {message}", file=sys.stderr)
        sys.exit(2)

    if len(argv) != 2:
        bad_arguments(f"usage: python3 bench/{script}.py '<json network config>' (see its docstring)")
    try:
        cfg = json.loads(argv[1])
    except json.JSONDecodeError as e:
        bad_arguments(f"the argument is not valid JSON ({e}): {argv[1]!r}")
    missing = [key for key in REQUIRED if not isinstance(cfg, dict) or key not in cfg]
    if missing:
        bad_arguments(f"the config lacks {', '.join(missing)}; give all of {', '.join(REQUIRED)}.")
    return cfg
