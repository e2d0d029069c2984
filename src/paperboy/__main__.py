from paperboy.cli import run

run()
