"""Qingquan (清权): the app, its settings and the `qingquan` command."""
