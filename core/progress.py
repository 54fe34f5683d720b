"""Progress as management commands show it: the `progress(stage, done, total)` callback the long services take
(imports, issuance) drawn as a text bar. Background tasks take the same callback (registry.services.tasks)."""


class ProgressBar:
    """A one-line text progress bar on stderr (redrawn in place on a terminal), one line per stage."""

    def __init__(self, stream, width: int = 30):
        self.stream, self.width = stream, width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last = (None, -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if (stage, percent) == self.last and done != total:
            return
        self.last = (stage, percent)
        filled = self.width * done // max(total, 1)
        line = f"{stage} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} ({percent}%)"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if done == total and self.tty:
            self.stream.write("\n")
        self.stream.flush()
