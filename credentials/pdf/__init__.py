"""The printed certificate: an A4 PDF (certificate and transcript) rendered from the frozen snapshot,
with embedded DejaVu fonts (fonts/, Bitstream Vera licence in fonts/LICENSE) and the verification QR.

render.py draws; qr.py makes the QR; labels.py holds the printed wording; documents.py caches and bundles.
"""
