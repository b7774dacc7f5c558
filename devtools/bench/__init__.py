"""`make bench`: the hot paths measured on a full-size dataset, each against a baseline taken
in the same run (docs/BENCHMARKS.md)."""
