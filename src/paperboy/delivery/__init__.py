"""E-mailed digests: a profile's ranked day as a message (message), sent over SMTP once per
announcement day (send), for each profile that names an address (due)."""
