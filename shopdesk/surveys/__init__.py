"""Satisfaction surveys: questionnaires, distribution, responses and their analysis."""
