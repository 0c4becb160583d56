"""Parsers of cleaned output text (see ``autograder.read.text.clean``): pure functions; standard library only, no later layer."""
