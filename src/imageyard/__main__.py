"""Entry point for ``python -m imageyard``."""

from imageyard.cli import main

if __name__ == "__main__":
    main()
