"""``python -m phusong``: the same as the ``phusong`` command."""

from phusong.cli import main

main()
