import pytest
from django.core.management import CommandError, call_command

from outcomes.models import TracerResponse

from .test_tracer_import import HEADER, row

pytestmark = pytest.mark.django_db


def test_the_command_imports_a_good_file(tmp_path, certificate, capsys):
    path = tmp_path / "tracer.csv"
    path.write_text("\n".join([HEADER, row(certificate)]), encoding="utf-8")

    call_command("import_tracer_responses", str(path))

    assert TracerResponse.objects.count() == 1
    out, err = capsys.readouterr()
    assert "imported 1" in out
    assert "check [" in err and "1/1 (100%)" in err  # the progress bar, one line per stage off a terminal


def test_the_command_reports_bad_lines_and_imports_nothing(tmp_path, certificate, capsys):
    path = tmp_path / "tracer.csv"
    path.write_text("\n".join([HEADER, row(certificate), row(certificate, wave="5")]), encoding="utf-8")

    with pytest.raises(CommandError):
        call_command("import_tracer_responses", str(path))

    assert "line 3: wave" in capsys.readouterr().err
    assert TracerResponse.objects.count() == 0
