"""The justfile front-end: its syntax (recipes.py), its expressions (expressions.py), and the
recipe lines read as just hands them to the shell (justfile.py)."""
