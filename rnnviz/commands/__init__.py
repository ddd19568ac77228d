"""Command-line subcommands, one module each; cli.py parses arguments and dispatches here."""
