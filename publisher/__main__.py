"""``python -m publisher``."""

from publisher.cli import main

# Guarded: the server's worker processes are spawned, and spawning re-imports this module.
if __name__ == "__main__":
    main()
