"""One date format per language, used by the pages (`|date`) and the certificates (credentials/pdf/labels.py):
Albanian 01.09.2023, Serbian 01.09.2023. (both scripts), English 1 Sep 2023. Settings FORMAT_MODULE_PATH."""
