"""Parsers of cleaned output text (see ``autograder.text.clean``). Pure functions, standard library only."""
