"""Research profiles: a person's library of papers, followed authors, weighted keywords and
categories, kept in the store (`store.profiles`) for ranking a day's papers for them.

`library` and `bib` read a library from a file of ids or a BibTeX export; `build` adds what a
command gives to a profile, all in one transaction.
"""
