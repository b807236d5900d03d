"""``python -m reader.batch ...``: the same command as ``reader batch``."""

from reader.cli.batch import batch_command

if __name__ == "__main__":
    batch_command(prog_name="python -m reader.batch")
