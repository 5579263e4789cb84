"""The one error family symgrad raises for anything a user can get wrong."""


class SymgradError(ValueError):
    """Bad input: the CLI prints the message on one line and exits with status 2."""


class ParseError(SymgradError):
    """An expression that is not in symgrad's grammar; ``column`` is 1-based (0 if unknown)."""

    def __init__(self, message: str, column: int = 0, text: str | None = None):
        self.message = message
        self.column = column
        self.text = text
        where = f" (column {column})" if column else ""
        super().__init__(f"{message}{where}")
