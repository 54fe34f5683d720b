"""`manage.py cyrillic_catalogue`: writes locale/sr (Serbian, Cyrillic) from locale/sr_Latn, letter for letter.

Serbian is translated once, in Latin script; the Cyrillic catalogue is its transliteration (placeholders, markup
and words with q, w, x, y or digits kept). Run it after editing locale/sr_Latn, then `manage.py compilemessages`.
tests/core/test_catalogues.py fails when the two have drifted apart."""

from django.core.management.base import BaseCommand

from core.catalogues import cyrillic_from_latin, parse, po_path, write


class Command(BaseCommand):
    help = "Write locale/sr/LC_MESSAGES/django.po (Cyrillic) from locale/sr_Latn (Latin)."

    def handle(self, *args, **options):
        entries = cyrillic_from_latin(parse(po_path("sr_Latn")))
        write(po_path("sr"), entries)
        self.stdout.write(f"locale/sr: {len(entries) - 1} messages transliterated from locale/sr_Latn")
