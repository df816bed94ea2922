"""Secure messaging between a patient and their care team: one thread per enrollment."""
