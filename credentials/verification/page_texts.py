"""The verification page's words in Albanian (the default), Serbian (Latin script) and English.

Kept here rather than in gettext catalogues: the page is the only place they appear, the three languages are
fixed by law and a reviewer can read all of them side by side.
"""

from __future__ import annotations

import re

LANGUAGES = ("sq", "sr", "en")
DEFAULT_LANGUAGE = "sq"
LANGUAGE_NAMES = {"sq": "Shqip", "sr": "Srpski", "en": "English"}

TEXTS = {
    "sq": {
        "title": "Verifikimi i certifikatës",
        "registry": "Regjistri i kualifikimeve dhe certifikatave të Kosovës",
        "banner_valid": "E VLEFSHME",
        "banner_revoked": "E REVOKUAR",
        "banner_suspended": "E PEZULLUAR",
        "banner_superseded": "E ZËVENDËSUAR",
        "banner_not_found": "NUK U GJET",
        "banner_malformed": "ID E PAVLEFSHME",
        "banner_throttled": "SHUMË KËRKESA",
        "note_valid": "Kjo certifikatë është e vlefshme.",
        "note_revoked": "Kjo certifikatë është revokuar dhe nuk është më e vlefshme.",
        "note_suspended": "Kjo certifikatë është pezulluar përkohësisht.",
        "note_superseded": "U zëvendësua me një certifikatë më të re. Kërkojini mbajtësit certifikatën e re.",
        "note_not_found": "Asnjë certifikatë e këtij regjistri nuk ka këtë ID. Kontrolloni që është shtypur "
        "saktësisht si në certifikatë.",
        "note_malformed": "Kjo nuk është një ID verifikimi e vlefshme.",
        "note_throttled": "Shumë kërkesa nga kjo adresë. Provoni përsëri pas {seconds} sekondash.",
        "since": "që nga",
        "holder": "Mbajtësi",
        "qualification": "Kualifikimi",
        "level": "Niveli (KKK / EQF)",
        "provider": "Ofruesi i trajnimit",
        "awarding_body": "Organi certifikues",
        "awarded_on": "Data e dhënies",
        "serial_number": "Numri serik",
        "checks": "Kontrollet",
        "compare": "Krahasoni emrin me letërnjoftimin e mbajtësit.",
        "check_signature": "Nënshkrimi digjital",
        "check_status": "Statusi",
        "check_accreditation": "Akreditimi i ofruesit në datën e dhënies",
        "check_equivalency": "Ekuivalenca nga ministria",
        "result_ok": "OK",
        "result_failed": "DËSHTOI",
        "result_skipped": "NUK ZBATOHET",
        "token_checking": "Duke kontrolluar kodin QR të nënshkruar…",
        "token_match": "Kodi QR i nënshkruar përputhet me këtë regjistrim.",
        "token_match_unsigned": "Të dhënat e kodit QR përputhen (ky shfletues nuk mund ta kontrollojë nënshkrimin).",
        "token_mismatch": "KUJDES: kodi QR nuk përputhet me këtë regjistrim.",
        "token_invalid": "KUJDES: kodi QR është i dëmtuar ose i falsifikuar.",
        "verified_at": "Verifikuar më",
        "language": "Gjuha",
    },
    "sr": {
        "title": "Provera sertifikata",
        "registry": "Registar kvalifikacija i sertifikata Kosova",
        "banner_valid": "VAŽEĆI",
        "banner_revoked": "OPOZVAN",
        "banner_suspended": "SUSPENDOVAN",
        "banner_superseded": "ZAMENJEN",
        "banner_not_found": "NIJE PRONAĐEN",
        "banner_malformed": "NEISPRAVAN ID",
        "banner_throttled": "PREVIŠE ZAHTEVA",
        "note_valid": "Ovaj sertifikat je važeći.",
        "note_revoked": "Ovaj sertifikat je opozvan i više nije važeći.",
        "note_suspended": "Ovaj sertifikat je privremeno suspendovan.",
        "note_superseded": "Zamenjen novijim sertifikatom. Zatražite od nosioca novi sertifikat.",
        "note_not_found": "Nijedan sertifikat ovog registra nema ovaj ID. Proverite da li je unet tačno kao što je "
        "odštampan.",
        "note_malformed": "Ovo nije ispravan ID za proveru.",
        "note_throttled": "Previše zahteva sa ove adrese. Pokušajte ponovo za {seconds} sekundi.",
        "since": "od",
        "holder": "Nosilac",
        "qualification": "Kvalifikacija",
        "level": "Nivo (NOK / EQF)",
        "provider": "Pružalac obuke",
        "awarding_body": "Telo za dodelu",
        "awarded_on": "Datum dodele",
        "serial_number": "Serijski broj",
        "checks": "Provere",
        "compare": "Uporedite ime sa ličnom kartom nosioca.",
        "check_signature": "Digitalni potpis",
        "check_status": "Status",
        "check_accreditation": "Akreditacija pružaoca na datum dodele",
        "check_equivalency": "Ekvivalencija ministarstva",
        "result_ok": "OK",
        "result_failed": "NEUSPEŠNO",
        "result_skipped": "NE PRIMENJUJE SE",
        "token_checking": "Provera potpisanog QR koda…",
        "token_match": "Potpisani QR kod odgovara ovom zapisu.",
        "token_match_unsigned": "Podaci QR koda se poklapaju (ovaj pregledač ne može da proveri potpis).",
        "token_mismatch": "PAŽNJA: QR kod ne odgovara ovom zapisu.",
        "token_invalid": "PAŽNJA: QR kod je oštećen ili falsifikovan.",
        "verified_at": "Provereno",
        "language": "Jezik",
    },
    "en": {
        "title": "Certificate verification",
        "registry": "Kosovo qualification and credential registry",
        "banner_valid": "VALID",
        "banner_revoked": "REVOKED",
        "banner_suspended": "SUSPENDED",
        "banner_superseded": "SUPERSEDED",
        "banner_not_found": "NOT FOUND",
        "banner_malformed": "INVALID ID",
        "banner_throttled": "TOO MANY REQUESTS",
        "note_valid": "This certificate is valid.",
        "note_revoked": "This certificate was revoked and is no longer valid.",
        "note_suspended": "This certificate is suspended.",
        "note_superseded": "Replaced by a newer certificate. Ask the holder for the new one.",
        "note_not_found": "No certificate of this registry has this id. Check it was typed exactly as printed.",
        "note_malformed": "This is not a valid verification id.",
        "note_throttled": "Too many requests from this address. Try again in {seconds} seconds.",
        "since": "since",
        "holder": "Holder",
        "qualification": "Qualification",
        "level": "Level (NQF / EQF)",
        "provider": "Training provider",
        "awarding_body": "Awarding body",
        "awarded_on": "Award date",
        "serial_number": "Serial number",
        "checks": "Checks",
        "compare": "Compare the name with the holder's ID card.",
        "check_signature": "Digital signature",
        "check_status": "Status",
        "check_accreditation": "Provider's accreditation on the award date",
        "check_equivalency": "Ministry equivalency",
        "result_ok": "OK",
        "result_failed": "FAILED",
        "result_skipped": "NOT NEEDED",
        "token_checking": "Checking the signed QR code…",
        "token_match": "The signed QR code matches this record.",
        "token_match_unsigned": "The QR code's data match (this browser cannot check the signature).",
        "token_mismatch": "WARNING: the QR code does not match this record.",
        "token_invalid": "WARNING: the QR code is damaged or forged.",
        "verified_at": "Verified at",
        "language": "Language",
    },
}

_LANG_RANGE = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([01](?:\.\d{0,3})?))?\s*$")


def choose_language(query_lang: str | None, accept_language: str) -> str:
    """`?lang=` wins; then the best `Accept-Language` match; then Albanian."""
    if query_lang and query_lang.lower() in LANGUAGES:
        return query_lang.lower()
    ranked = []
    for position, part in enumerate((accept_language or "")[:512].split(",")):
        match = _LANG_RANGE.match(part)
        if not match:
            continue
        primary, quality = match.group(1).lower(), float(match.group(2) or 1)
        # Bosnian, Croatian and Montenegrin readers read the Serbian (Latin) page.
        primary = {"sh": "sr", "bs": "sr", "hr": "sr", "cnr": "sr"}.get(primary, primary)
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE
