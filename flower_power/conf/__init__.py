"""Long settings groups that flower_power/settings.py builds by calling these modules.

Each is a constant or a function of what it depends on (DEBUG, VAR_DIR, ...), called from
settings.py, so the settings module stays the one place that decides and a fresh import of it
re-reads the environment. A variable only one group needs (a throttle rate, the Redis broker's
visibility timeout) is read next to where it is used.
"""
