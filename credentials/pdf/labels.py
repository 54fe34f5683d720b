"""The printed wording of the certificate and its transcript, in Albanian, Serbian (Latin) and English.

Each page is bilingual: the requested language first, then the other (English, or Albanian for an English
print) in smaller type. Names and titles come from the snapshot, never from here.
"""

from __future__ import annotations

SUPPORTED_LANGUAGES = ("sq", "sr", "en")
DEFAULT_LANGUAGE = "sq"
# The requested language and the one printed under it.
LANGUAGE_PAIRS = {"sq": ("sq", "en"), "sr": ("sr", "en"), "en": ("en", "sq")}

LABELS: dict[str, dict[str, str]] = {
    "country": {"sq": "REPUBLIKA E KOSOVËS", "sr": "REPUBLIKA KOSOVO", "en": "REPUBLIC OF KOSOVO"},
    "registry": {
        "sq": "Regjistri Kombëtar i Kualifikimeve dhe Certifikatave",
        "sr": "Nacionalni registar kvalifikacija i sertifikata",
        "en": "National Qualification and Credential Registry",
    },
    "certificate": {"sq": "CERTIFIKATË", "sr": "SERTIFIKAT", "en": "CERTIFICATE"},
    "certify": {"sq": "Vërtetohet se", "sr": "Ovim se potvrđuje da je", "en": "This is to certify that"},
    "completed": {
        "sq": "ka përfunduar me sukses kualifikimin",
        "sr": "uspešno stekao/la kvalifikaciju",
        "en": "has successfully completed the qualification",
    },
    "code": {"sq": "Kodi", "sr": "Šifra", "en": "Code"},
    "level": {"sq": "Niveli", "sr": "Nivo", "en": "Level"},
    "nqf": {"sq": "KKK", "sr": "NOK", "en": "NQF"},
    "eqf": {"sq": "KEK", "sr": "EOK", "en": "EQF"},
    "hours": {"sq": "Orë teori + praktikë", "sr": "Časovi teorije + prakse", "en": "Hours of theory + practice"},
    "hours_value": {
        "sq": "{t} + {p} = {total} orë",
        "sr": "{t} + {p} = {total} časova",
        "en": "{t} + {p} = {total} hours",
    },
    "credits": {"sq": "Kredi", "sr": "Krediti", "en": "Credits"},
    "programme": {"sq": "Programi", "sr": "Program", "en": "Programme"},
    "programme_value": {
        "sq": "Kurrikula {version}, {mode}",
        "sr": "Nastavni plan {version}, {mode}",
        "en": "Curriculum {version}, {mode}",
    },
    "provider": {"sq": "Ofruesi", "sr": "Pružalac obuke", "en": "Provider"},
    "awarding_body": {"sq": "Organi certifikues", "sr": "Telo za dodelu", "en": "Awarding body"},
    "accreditation": {"sq": "Akreditimi", "sr": "Akreditacija", "en": "Accreditation"},
    "decision": {"sq": "Vendimi nr. {number}", "sr": "Odluka br. {number}", "en": "Decision no. {number}"},
    "decision_dated": {
        "sq": "Vendimi nr. {number} i datës {date}",
        "sr": "Odluka br. {number} od {date}",
        "en": "Decision no. {number} of {date}",
    },
    "valid_period": {"sq": "e vlefshme {start} – {end}", "sr": "važi {start} – {end}", "en": "valid {start} – {end}"},
    "equivalency": {"sq": "Ekuivalenca", "sr": "Ekvivalencija", "en": "Equivalency"},
    "equivalent_to": {"sq": "ekuivalente me {what}", "sr": "ekvivalentna sa {what}", "en": "equivalent to {what}"},
    "awarded_on": {"sq": "Data e dhënies", "sr": "Datum dodele", "en": "Date of award"},
    "issued_on": {"sq": "Data e lëshimit", "sr": "Datum izdavanja", "en": "Date of issue"},
    "serial": {"sq": "Numri serik", "sr": "Serijski broj", "en": "Serial number"},
    "serial_short": {"sq": "Nr.", "sr": "Br.", "en": "No."},
    "for_provider": {"sq": "Për ofruesin", "sr": "Za pružaoca obuke", "en": "For the provider"},
    "for_awarding_body": {"sq": "Për organin certifikues", "sr": "Za telo za dodelu", "en": "For the awarding body"},
    "verify": {"sq": "Verifikoni këtë certifikatë", "sr": "Proverite ovaj sertifikat", "en": "Verify this certificate"},
    "verification_code": {"sq": "Kodi i verifikimit", "sr": "Verifikacioni kod", "en": "Verification code"},
    "signed_note": {
        "sq": (
            "Kjo certifikatë është regjistruar në Regjistrin Kombëtar dhe është nënshkruar elektronikisht. "
            "Skanoni kodin QR për të parë statusin e saj aktual dhe krahasoni emrin me letërnjoftimin e mbajtësit."
        ),
        "sr": (
            "Ovaj sertifikat je upisan u Nacionalni registar i elektronski potpisan. Skenirajte QR kod da "
            "vidite njegov trenutni status i uporedite ime sa ličnom kartom imaoca."
        ),
        "en": (
            "This certificate is recorded in the National Registry and electronically signed. Scan the QR code "
            "to see its current status, and compare the name with the holder's ID card."
        ),
    },
    "transcript": {"sq": "TRANSKRIPTI", "sr": "TRANSKRIPT", "en": "TRANSCRIPT"},
    "transcript_of": {
        "sq": "Shtojcë e certifikatës nr. {serial}",
        "sr": "Dodatak sertifikatu br. {serial}",
        "en": "Supplement to certificate no. {serial}",
    },
    "transcript_note": {
        "sq": "Ky transkript është pjesë e certifikatës dhe vlen vetëm bashkë me të.",
        "sr": "Ovaj transkript je deo sertifikata i važi samo uz njega.",
        "en": "This transcript is part of the certificate and is valid only with it.",
    },
    "legend_levels": {
        "sq": "KKK: Korniza Kombëtare e Kualifikimeve; KEK: Korniza Evropiane e Kualifikimeve.",
        "sr": "NOK: Nacionalni okvir kvalifikacija; EOK: Evropski okvir kvalifikacija.",
        "en": "NQF: National Qualifications Framework; EQF: European Qualifications Framework.",
    },
    "holder": {"sq": "Mbajtësi", "sr": "Imalac", "en": "Holder"},
    "qualification": {"sq": "Kualifikimi", "sr": "Kvalifikacija", "en": "Qualification"},
    "col_code": {"sq": "Kodi", "sr": "Šifra", "en": "Code"},
    "col_module": {"sq": "Moduli", "sr": "Modul", "en": "Module"},
    "col_kind": {"sq": "Lloji", "sr": "Vrsta", "en": "Kind"},
    "col_theory": {"sq": "Orë teori", "sr": "Teorija (č)", "en": "Theory hours"},
    "col_practice": {"sq": "Orë praktikë", "sr": "Praksa (č)", "en": "Practice hours"},
    "col_credits": {"sq": "Kredi", "sr": "Krediti", "en": "Credits"},
    "col_outcome": {"sq": "Rezultati", "sr": "Rezultat", "en": "Outcome"},
    "total": {"sq": "Gjithsej", "sr": "Ukupno", "en": "Total"},
    "optional": {"sq": "zgjedhor", "sr": "izborni", "en": "optional"},
    "page": {"sq": "Faqja {n}", "sr": "Strana {n}", "en": "Page {n}"},
    "kind_theory": {"sq": "Teori", "sr": "Teorija", "en": "Theory"},
    "kind_practice": {"sq": "Praktikë", "sr": "Praksa", "en": "Practice"},
    "kind_mixed": {"sq": "E përzier", "sr": "Mešovito", "en": "Mixed"},
    "mode_in_person": {"sq": "me prani fizike", "sr": "uživo", "en": "in person"},
    "mode_online": {"sq": "online", "sr": "onlajn", "en": "online"},
    "mode_hybrid": {"sq": "hibride", "sr": "hibridno", "en": "hybrid"},
    "outcome_pass": {"sq": "Kaloi", "sr": "Položeno", "en": "Passed"},
    "outcome_fail": {"sq": "Nuk kaloi", "sr": "Nije položeno", "en": "Failed"},
    "outcome_pending": {"sq": "Në pritje", "sr": "Na čekanju", "en": "Pending"},
    "status_revoked": {"sq": "REVOKUAR", "sr": "OPOZVAN", "en": "REVOKED"},
    "status_suspended": {"sq": "PEZULLUAR", "sr": "SUSPENDOVAN", "en": "SUSPENDED"},
    "status_superseded": {"sq": "ZËVENDËSUAR", "sr": "ZAMENJEN", "en": "SUPERSEDED"},
    "status_note": {
        "sq": "Kjo certifikatë nuk është e vlefshme. Statusi aktual gjendet në regjistër.",
        "sr": "Ovaj sertifikat nije važeći. Trenutni status se nalazi u registru.",
        "en": "This certificate is not valid. Its current status is in the registry.",
    },
    "doc_title": {
        "sq": "Certifikata {serial}",
        "sr": "Sertifikat {serial}",
        "en": "Certificate {serial}",
    },
    "cohort_title": {
        "sq": "Certifikatat e kohortës {code}",
        "sr": "Sertifikati kohorte {code}",
        "en": "Certificates of cohort {code}",
    },
}


def label(key: str, lang: str, **values) -> str:
    text = LABELS[key][lang]
    return text.format(**values) if values else text
