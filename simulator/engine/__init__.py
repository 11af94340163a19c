"""The engine: chunks of vectorized iterations, seeded streams, executors, merging."""

from simulator.engine.chunk import ChunkResult, simulate_chunk
from simulator.engine.executors import BACKENDS, open_executor
from simulator.engine.runner import RunOutput, run_chunks

__all__ = ["BACKENDS", "ChunkResult", "RunOutput", "open_executor", "run_chunks", "simulate_chunk"]
