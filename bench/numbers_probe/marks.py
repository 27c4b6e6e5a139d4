"""Print each line of a probe file with the number words vowelled (what the voice gets)."""

import sys

from audio_news.numbers import verbalize

for i, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    print(i, verbalize(line.strip(), marks=True))
