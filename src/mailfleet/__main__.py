"""``python -m mailfleet``: the same entry point as the ``mailfleet`` command."""

from mailfleet.cli.app import main

main()
