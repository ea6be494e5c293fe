from keyproject.cli import run

run()
