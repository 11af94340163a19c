"""``python -m simulator``: the ``simulate`` command."""

from simulator.cli import main

if __name__ == "__main__":
    main(prog_name="simulate")
