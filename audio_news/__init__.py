"""audio-news: Arabic news articles as chaptered, tagged podcast episodes."""

__version__ = "0.1.0"
