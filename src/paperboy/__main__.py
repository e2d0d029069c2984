from paperboy.cli import app

app(prog_name="paperboy")
