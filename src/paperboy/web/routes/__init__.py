"""The app's routes by kind: HTML pages, the JSON API, feeds."""
