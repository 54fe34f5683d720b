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
        "banner_token_mismatch": "KODI QR NUK PËRPUTHET",
        "note_token_mismatch": "Kodi QR nuk përputhet me këtë regjistrim: është ndryshuar ose i përket një "
        "certifikate tjetër. Mos e pranoni certifikatën; më poshtë është ajo që mban regjistri për këtë ID.",
        "note_token_invalid": "Nënshkrimi i kodit QR nuk verifikohet: kodi është i dëmtuar ose i falsifikuar. "
        "Mos e pranoni certifikatën; më poshtë është ajo që mban regjistri për këtë ID.",
        "hours": "Orët",
        "hours_value": "{theory} orë teori + {practice} orë praktikë",
        "equivalency": "Ekuivalenca",
        "equivalent_to": "Ekuivalente me kualifikimin kombëtar {code} «{title}»",
        "equivalency_decision": "Vendimi nr. {number} i datës {date}, {body}",
        "check_another": "Verifikoni një certifikatë tjetër",
        "form_title": "Verifikoni një certifikatë",
        "form_intro": "Shkruani ID-në e verifikimit të shtypur në certifikatë, ose numrin serik me datën e "
        "lindjes së mbajtësit.",
        "form_by_id": "Me ID-në e verifikimit",
        "form_id_label": "ID e verifikimit (26 shenja) ose lidhja nga kodi QR",
        "form_id_submit": "Verifiko",
        "form_by_serial": "Me numrin serik dhe datën e lindjes",
        "form_serial_label": "Numri serik",
        "form_dob_label": "Data e lindjes së mbajtësit",
        "form_dob_submit": "Kontrollo",
        "form_dob_hint": "Përgjigjja është vetëm «përputhet» ose «nuk përputhet». Data e lindjes nuk ruhet dhe "
        "nuk shfaqet.",
        "banner_date_of_birth_match": "PËRPUTHET",
        "note_date_of_birth_match": "Data e lindjes përputhet me mbajtësin e certifikatës {serial}.",
        "open_certificate": "Hapni verifikimin e certifikatës",
        "banner_date_of_birth_mismatch": "NUK PËRPUTHET",
        "note_date_of_birth_mismatch": "Kjo datë lindjeje nuk i përket mbajtësit të certifikatës {serial}, ose ky "
        "numër serik nuk ekziston.",
        "banner_too_many_attempts": "SHUMË PROVA",
        "note_too_many_attempts": "Për këtë numër serik u provuan sot shumë data lindjeje. Provoni përsëri nesër.",
        "banner_bad_input": "TË DHËNA TË PAVLEFSHME",
        "note_bad_id": "Kjo nuk është një ID verifikimi ose lidhje e këtij regjistri. Shkruajeni saktësisht si në "
        "certifikatë.",
        "note_bad_serial": "Numri serik ka vetëm shkronja, shifra dhe viza, p.sh. L5-SEN-2026-000123.",
        "note_bad_dob": "Shkruani datën e lindjes si VVVV-MM-DD, p.sh. 1995-04-12.",
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
        "banner_token_mismatch": "QR KOD SE NE POKLAPA",
        "note_token_mismatch": "QR kod ne odgovara ovom zapisu: izmenjen je ili pripada drugom sertifikatu. "
        "Ne prihvatajte sertifikat; ispod je ono što registar čuva za ovaj ID.",
        "note_token_invalid": "Potpis QR koda nije ispravan: kod je oštećen ili falsifikovan. Ne prihvatajte "
        "sertifikat; ispod je ono što registar čuva za ovaj ID.",
        "hours": "Časovi",
        "hours_value": "{theory} časova teorije + {practice} časova prakse",
        "equivalency": "Ekvivalencija",
        "equivalent_to": "Ekvivalentna nacionalnoj kvalifikaciji {code} „{title}“",
        "equivalency_decision": "Odluka br. {number} od {date}, {body}",
        "check_another": "Proverite drugi sertifikat",
        "form_title": "Proverite sertifikat",
        "form_intro": "Unesite ID za proveru odštampan na sertifikatu, ili serijski broj sa datumom rođenja nosioca.",
        "form_by_id": "Pomoću ID-a za proveru",
        "form_id_label": "ID za proveru (26 znakova) ili link iz QR koda",
        "form_id_submit": "Proveri",
        "form_by_serial": "Pomoću serijskog broja i datuma rođenja",
        "form_serial_label": "Serijski broj",
        "form_dob_label": "Datum rođenja nosioca",
        "form_dob_submit": "Proveri",
        "form_dob_hint": "Odgovor je samo „poklapa se“ ili „ne poklapa se“. Datum rođenja se ne čuva i ne prikazuje.",
        "banner_date_of_birth_match": "POKLAPA SE",
        "note_date_of_birth_match": "Datum rođenja odgovara nosiocu sertifikata {serial}.",
        "open_certificate": "Otvorite proveru sertifikata",
        "banner_date_of_birth_mismatch": "NE POKLAPA SE",
        "note_date_of_birth_mismatch": "Ovaj datum rođenja ne pripada nosiocu sertifikata {serial}, ili taj "
        "serijski broj ne postoji.",
        "banner_too_many_attempts": "PREVIŠE POKUŠAJA",
        "note_too_many_attempts": "Za ovaj serijski broj danas je pokušano previše datuma rođenja. Pokušajte "
        "ponovo sutra.",
        "banner_bad_input": "NEISPRAVAN UNOS",
        "note_bad_id": "Ovo nije ID za proveru niti link ovog registra. Unesite ga tačno kao što je odštampan.",
        "note_bad_serial": "Serijski broj sadrži samo slova, cifre i crtice, npr. L5-SEN-2026-000123.",
        "note_bad_dob": "Unesite datum rođenja kao GGGG-MM-DD, npr. 1995-04-12.",
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
        "banner_token_mismatch": "QR CODE DOES NOT MATCH",
        "note_token_mismatch": "The QR code does not match this record: it was altered or belongs to another "
        "certificate. Do not accept the certificate; below is what the registry holds for this id.",
        "note_token_invalid": "The QR code's signature does not verify: the code is damaged or forged. Do not "
        "accept the certificate; below is what the registry holds for this id.",
        "hours": "Hours",
        "hours_value": "{theory} h theory + {practice} h practice",
        "equivalency": "Equivalency",
        "equivalent_to": "Equivalent to the national qualification {code} “{title}”",
        "equivalency_decision": "Decision no. {number} of {date}, {body}",
        "check_another": "Verify another certificate",
        "form_title": "Verify a certificate",
        "form_intro": "Type the verification id printed on the certificate, or the serial number with the "
        "holder's date of birth.",
        "form_by_id": "By verification id",
        "form_id_label": "Verification id (26 characters) or the link from the QR code",
        "form_id_submit": "Verify",
        "form_by_serial": "By serial number and date of birth",
        "form_serial_label": "Serial number",
        "form_dob_label": "Holder's date of birth",
        "form_dob_submit": "Check",
        "form_dob_hint": "The answer is only “matches” or “does not match”. The date of birth is neither kept nor "
        "shown.",
        "banner_date_of_birth_match": "MATCHES",
        "note_date_of_birth_match": "The date of birth matches the holder of certificate {serial}.",
        "open_certificate": "Open the certificate's verification",
        "banner_date_of_birth_mismatch": "DOES NOT MATCH",
        "note_date_of_birth_mismatch": "This date of birth does not belong to the holder of certificate {serial}, "
        "or no certificate has this serial number.",
        "banner_too_many_attempts": "TOO MANY ATTEMPTS",
        "note_too_many_attempts": "Too many dates of birth were tried for this serial number today. Try again "
        "tomorrow.",
        "banner_bad_input": "INVALID INPUT",
        "note_bad_id": "This is not a verification id or a link of this registry. Type it exactly as printed.",
        "note_bad_serial": "A serial number has letters, digits and hyphens only, e.g. L5-SEN-2026-000123.",
        "note_bad_dob": "Give the date of birth as YYYY-MM-DD, e.g. 1995-04-12.",
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
