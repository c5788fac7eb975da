"""``python -m cloudaudit``."""

from cloudaudit.cli import main

main()
