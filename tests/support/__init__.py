"""Helpers shared by several test modules (oracles, corpora, PDF reading); no tests here."""
