"""Checking a learner's answers against a worked solution: named mistakes, diagnosis, credit.

``mistakes`` holds the one table of named mistakes (also used by the exercise kinds);
``diagnose`` compares answers with a derivation under error carried forward. Import the
modules you need: this package imports nothing heavy on its own.
"""
