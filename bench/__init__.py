"""Load benchmarks run against real servers; see docs/performance.md."""
