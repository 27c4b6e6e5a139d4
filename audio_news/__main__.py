"""`python -m audio_news` runs the CLI."""

from .cli import app

app()
