"""``python -m cloudaudit``."""

from cloudaudit._entry import run

run()
