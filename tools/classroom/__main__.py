"""``python tools/classroom COMMAND ...``: see classroom.cli."""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from classroom.cli import main

    sys.exit(main(sys.argv[1:]))
