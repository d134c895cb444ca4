"""Progress of a bulk load, printed as it goes: rows and rows per second for each table."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class TableStats:
    name: str
    total: int
    rows: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)
    last_line: float = field(default_factory=time.perf_counter)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Progress:
    write: Callable[[str], None]
    # Seconds between two progress lines for the same table.
    interval: float = 2.0
    tables: dict[str, TableStats] = field(default_factory=dict)

    @contextmanager
    def table(self, name: str, total: int) -> Iterator[TableStats]:
        """Time the block that loads `name`; the rate counts everything up to the final commit
        of the rows (a COPY flushes its last buffer only when it ends)."""
        stats = self.tables[name] = TableStats(name=name, total=total)
        yield stats
        stats.seconds = time.perf_counter() - stats.started
        self.write(
            f"  {name}: {stats.rows:,} rows in {stats.seconds:.1f} s ({stats.rows_per_second:,.0f} rows/s)"
        )

    def count(self, stats: TableStats, chunks: Iterable[Sequence[T]]) -> Iterator[T]:
        """Yield the items of `chunks`, counting them and printing a line every `interval` seconds."""
        for chunk in chunks:
            yield from chunk
            self.advance(stats, len(chunk))

    def advance(self, stats: TableStats, rows: int) -> None:
        """Count `rows` more, printing a line if `interval` seconds passed since the last one."""
        stats.rows += rows
        now = time.perf_counter()
        if now - stats.last_line >= self.interval:
            stats.last_line = now
            stats.seconds = now - stats.started
            rate = stats.rows_per_second
            self.write(f"  {stats.name}: {stats.rows:,} / {stats.total:,} rows, {rate:,.0f} rows/s")
