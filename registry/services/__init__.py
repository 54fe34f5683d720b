"""Every write in the catalogue goes through a service here (HackSoft style): keyword-only, atomic,
`full_clean()` before `save()`, and an audit entry."""
