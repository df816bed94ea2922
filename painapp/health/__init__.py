"""Whether painapp is working: the health probes' checks (/healthz/live, /healthz/ready,
painapp/views.py) and the heartbeat the minute reminder sweep leaves behind."""
