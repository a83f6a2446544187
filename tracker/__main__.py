"""Entry point of ``ldn-tracker`` and ``python -m tracker``."""

from __future__ import annotations

import sys


def main() -> None:
    from tracker.memory import loading_modules

    with loading_modules():
        from tracker.cli import main as cli_main
    sys.exit(cli_main())


if __name__ == "__main__":
    main()
