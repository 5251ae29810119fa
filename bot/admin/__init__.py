"""The admin verbs of `python -m bot`: what each does (bot/cli.py parses the command line)."""
