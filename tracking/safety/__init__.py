"""The safety workflow's shared parts: the free-text crisis-word scanner
(scanner.py) and the patient copy said after a safety answer (copy.py)."""
