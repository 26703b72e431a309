"""The Makefile front-end: recipes read as the shell lines make runs."""
