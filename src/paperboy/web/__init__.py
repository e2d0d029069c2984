"""The web reader: FastAPI app, Jinja2 templates, static assets (no build step)."""
