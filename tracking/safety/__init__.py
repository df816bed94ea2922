"""Safety features a patient can reach at any time (the "Get help now" page).

Also the safety workflow's shared parts (issue 15): the free-text crisis-word scanner
(scanner.py) and the patient copy said after a safety answer (copy.py)."""
