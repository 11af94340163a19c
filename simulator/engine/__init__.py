"""The engine: chunks of vectorized iterations, seeded streams, executors, merging."""

from .chunk import ChunkResult, simulate_chunk
from .executors import BACKENDS, open_executor
from .runner import RunOutput, run_chunks

__all__ = ["BACKENDS", "ChunkResult", "RunOutput", "open_executor", "run_chunks", "simulate_chunk"]
