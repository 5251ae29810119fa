"""Summarise a py-spy raw (collapsed) profile: `python -m bench.spy FILE [FILTER...]`.

Prints the share of samples by thread, by the layer the innermost frame belongs to (our
code, SQLAlchemy, sqlite3, slack_sdk, Bolt, aiohttp, structlog, asyncio, ...), and the
functions that hold the most samples inclusively and by themselves. With FILTER words, only
stacks that contain every word count (for example `fulfil`, or `sqlite_0`).
"""

from __future__ import annotations

import sys
from collections import Counter

LAYERS = (
    ("bench/", "bench harness"),
    ("sqlalchemy/", "SQLAlchemy"),
    ("sqlite3/", "sqlite3"),
    ("slack_bolt/", "Bolt"),
    ("slack_sdk/", "slack_sdk"),
    ("aiohttp/", "aiohttp"),
    ("structlog/", "structlog"),
    ("logging/", "logging"),
    ("json/", "json"),
    ("cryptography/", "cryptography"),
    ("prometheus_client/", "prometheus"),
    ("asyncio/", "asyncio"),
    ("concurrent/", "executor"),
    ("threading.py", "threading"),
    ("bot/", "bot"),
    ("handlers/", "handlers"),
)


def layer(frame: str) -> str:
    for needle, name in LAYERS:
        if needle in frame:
            return name
    where = frame.rsplit("(", 1)[-1]
    return where.split("/", 1)[0].split(".py")[0].strip(")") or "?"


def main(path: str, words: list[str]) -> None:
    threads: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    with open(path) as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack or any(word not in stack for word in words):
                continue
            n = int(count)
            frames = stack.split(";")
            thread = frames[0].split(": ", 1)[-1]
            frames = frames[1:]
            total += n
            threads[thread] += n
            if frames:
                layers[layer(frames[-1])] += n
                own[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n
    if not total:
        print("no samples")
        return

    def share(n: int) -> str:
        return f"{n / total * 100:5.1f}%"

    print(f"{total} samples" + (f" with {' '.join(words)}" if words else ""))
    print("\nby thread:")
    for name, n in threads.most_common(8):
        print(f"  {share(n)}  {name}")
    print("\nby layer of the innermost frame:")
    for name, n in layers.most_common(20):
        print(f"  {share(n)}  {name}")
    print("\ninclusive (frames in bot/ and handlers/):")
    ours = [(f, n) for f, n in inclusive.items() if "(bot/" in f or "(handlers/" in f]
    for frame, n in sorted(ours, key=lambda item: -item[1])[:30]:
        print(f"  {share(n)}  {frame}")
    print("\nown time:")
    for frame, n in own.most_common(30):
        print(f"  {share(n)}  {frame}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
