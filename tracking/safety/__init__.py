"""Safety features a patient can reach at any time (the "Get help now" page)."""
