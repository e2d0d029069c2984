"""The vector space: a vector for every paper, made from the store's own text.

- `model`: the text model (fitted on the archive, stored as plain arrays) that turns a
  paper's title and abstract, or a query, into a unit vector;
- `build`: `paperboy index`, fitting a space or projecting new papers into the active one;
- `neighbours`: the active space loaded for queries, nearest papers by cosine (exact, or
  approximate at the scale of all of arXiv).
"""
