"""``python -m ticketlens`` runs the CLI."""

from ticketlens.cli import main

main()
