"""Studies: what runs the model again: sweeps, one-way swings, contract impact, trial
operating characteristics and single-iteration traces. Results are data; reading them
never re-simulates, so everything that does lives here, above the run."""
