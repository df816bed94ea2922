"""A clinician's saved caseload filters: the table. The services and the page are in
tracking.clinic (saved_filters.py, views/caseload.py); the table lives apart so that
tracking.models can import it without importing the clinic's screens."""
