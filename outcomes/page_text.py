"""The words of the public pages in Albanian (default) and English."""

TEXT = {
    "sq": {
        "title": "Ndikimi i kualifikimit: punësimi dhe kënaqësia e të diplomuarve",
        "intro": (
            "Çka ndodh pas certifikatës: sa të diplomuar punësohen nga komunat, në shkolla publike ose me "
            "familje, dhe sa të kënaqur janë ata dhe punëdhënësit e tyre. Shifrat llogariten nga regjistri."
        ),
        "trained": "Kandidatë të trajnuar",
        "certified": "Të certifikuar",
        "employed": "Të punësuar",
        "employed_sen": "Në role për fëmijët me NVA",
        "median_months": "Muaj deri në punën e parë (mediana)",
        "municipalities": "Komuna të arritura",
        "employer_satisfaction": "Kënaqësia e punëdhënësve",
        "graduate_satisfaction": "Kënaqësia e të diplomuarve (1-5)",
        "target": "synimi",
        "of_respondents": "e të anketuarve",
        "by_cohort": "Punësimi sipas gjeneratës",
        "by_cohort_desc": "Pjesa e të diplomuarve të punësuar në valën e fundit të anketës, sipas gjeneratës.",
        "by_municipality": "Punësimi sipas komunës",
        "by_municipality_desc": "Pjesa e të diplomuarve të punësuar, sipas komunës së banimit.",
        "employer_over_time": "Kënaqësia e punëdhënësve me kalimin e kohës",
        "employer_over_time_desc": "Pjesa e vlerësimeve 4 ose 5 nga punëdhënësit, sipas vitit të diplomimit.",
        "graduate_over_time": "Kënaqësia e të diplomuarve me shkathtësitë",
        "graduate_over_time_desc": "Nota mesatare (1-5) që të diplomuarit u japin shkathtësive, sipas vitit.",
        "legend_employed": "të punësuar",
        "legend_sen": "në role për fëmijët me NVA (shkollë, komunë, familje)",
        "baseline": "fillimi 60%",
        "target_line": "synimi 75%",
        "suppressed_short": "pak, fshehur",
        "hidden_groups": "Fshehur (më pak se 10 përgjigje): {n}",
        "other_cohorts": "{n} gjenerata të tjera",
        "other_municipalities": "{n} komuna të tjera",
        "throttled": "Shumë kërkesa nga kjo adresë. Provoni sërish pas {seconds} sekondash.",
        "no_data": "Ende nuk ka të dhëna.",
        "privacy": (
            "Çdo numër rrumbullakohet në një shumëfish të {n}, rastësisht lart ose poshtë; grupet që "
            "rrumbullakohen në 0 nuk shfaqen dhe përqindjet llogariten nga numrat e rrumbullakuar, që askush të "
            "mos identifikohet as duke zbritur një tabelë nga një tjetër. Të dhënat e hapura: {csv_link}."
        ),
        "csv": "tabelat në CSV",
        "lang_switch": "English",
        "lang_other": "en",
        "nav_label": "Gjuha",
        # tracer form
        "form_title": "Anketa e të diplomuarve",
        "form_intro": (
            "Ju lutemi na tregoni si po ecën pas kualifikimit {qualification} ({provider}). "
            "Përgjigjet përdoren vetëm në statistika të përmbledhura."
        ),
        "form_wave": "{wave} muaj pas certifikimit",
        "submit": "Dërgo",
        "thanks_title": "Faleminderit!",
        "thanks": "Përgjigjet tuaja u ruajtën.",
        "invalid_title": "Lidhja nuk vlen",
        "invalid": "Kjo lidhje nuk vlen, ka skaduar ose është përdorur tashmë.",
        "skills_legend": "Sa të kënaqur jeni me shkathtësitë e fituara? (1 = aspak, 5 = shumë)",
        "yes": "Po",
        "no": "Jo",
        "unknown": "Nuk e di",
        "employment_status": "Statusi juaj i punësimit",
        "employer_name": "Punëdhënësi (nëse jeni i/e punësuar)",
        "work_municipality": "Komuna ku punoni",
        "months_to_first_job": "Pas sa muajsh e gjetët punën e parë?",
        "job_uses_qualification": "A e përdorni kualifikimin në punë?",
        "would_choose_again": "A do ta zgjidhnit sërish këtë program?",
        "choose": "Zgjidhni",
        "errors": "Ju lutemi korrigjoni fushat e shënuara.",
    },
    "en": {
        "title": "Impact of the qualification: graduates' employment and satisfaction",
        "intro": (
            "What happens after the certificate: how many graduates are hired by municipalities, in public "
            "schools or by families, and how satisfied they and their employers are. Computed from the registry."
        ),
        "trained": "Learners trained",
        "certified": "Certified",
        "employed": "Employed",
        "employed_sen": "In SEN roles",
        "median_months": "Months to first job (median)",
        "municipalities": "Municipalities reached",
        "employer_satisfaction": "Employer satisfaction",
        "graduate_satisfaction": "Graduates' satisfaction (1-5)",
        "target": "target",
        "of_respondents": "of respondents",
        "by_cohort": "Employment by cohort",
        "by_cohort_desc": "Share of graduates employed at the latest survey wave, by cohort.",
        "by_municipality": "Employment by municipality",
        "by_municipality_desc": "Share of graduates employed, by municipality of residence.",
        "employer_over_time": "Employer satisfaction over time",
        "employer_over_time_desc": "Share of employer ratings of 4 or 5, by graduation year.",
        "graduate_over_time": "Graduates' satisfaction with their skills",
        "graduate_over_time_desc": "Mean score (1-5) graduates give the skills they gained, by year.",
        "legend_employed": "employed",
        "legend_sen": "in SEN roles (school, municipality, family)",
        "baseline": "baseline 60%",
        "target_line": "target 75%",
        "suppressed_short": "too few, hidden",
        "hidden_groups": "Hidden (fewer than 10 answers): {n}",
        "other_cohorts": "{n} other cohorts",
        "other_municipalities": "{n} other municipalities",
        "throttled": "Too many requests from this address. Try again in {seconds} seconds.",
        "no_data": "No data yet.",
        "privacy": (
            "Every count is rounded to a multiple of {n}, up or down at random; groups that round to 0 are left "
            "out and rates are computed from the rounded counts, so no one can be singled out, not even by "
            "subtracting one table from another. Open data: {csv_link}."
        ),
        "csv": "the tables as CSV",
        "lang_switch": "Shqip",
        "lang_other": "sq",
        "nav_label": "Language",
        "form_title": "Graduate survey",
        "form_intro": (
            "Please tell us how you are doing after the qualification {qualification} ({provider}). "
            "Your answers are only used in aggregated statistics."
        ),
        "form_wave": "{wave} months after certification",
        "submit": "Send",
        "thanks_title": "Thank you!",
        "thanks": "Your answers have been saved.",
        "invalid_title": "This link is not valid",
        "invalid": "This link is not valid, has expired or was already used.",
        "skills_legend": "How satisfied are you with the skills you gained? (1 = not at all, 5 = very)",
        "yes": "Yes",
        "no": "No",
        "unknown": "Don't know",
        "employment_status": "Your employment status",
        "employer_name": "Employer (if employed)",
        "work_municipality": "Municipality where you work",
        "months_to_first_job": "After how many months did you find your first job?",
        "job_uses_qualification": "Does your job use the qualification?",
        "would_choose_again": "Would you choose this programme again?",
        "choose": "Choose",
        "errors": "Please correct the marked fields.",
    },
}


def language(request) -> str:
    lang = request.GET.get("lang", "sq")
    return lang if lang in TEXT else "sq"
