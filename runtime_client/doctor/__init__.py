"""``stepforce doctor``: prove the engine's platform assumptions in a real org (docs/doctor.md)."""
