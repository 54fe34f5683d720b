"""Certificate verification: parsing what was typed or scanned, the checks, the event log and throttles.

Entry points are in `services` (`verify_by_id`, `verify_scanned`, `verify_by_serial_and_date_of_birth`,
`verify_batch`); the HTML page and the API are thin layers over them. See docs/verification.md.
"""
