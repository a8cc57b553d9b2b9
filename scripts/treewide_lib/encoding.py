"""How the toolkit reads and writes a kernel tree's text: as UTF-8, with
the bytes that are not (a Latin-1 comment, a stray byte) kept as they are
(surrogateescape), so a file comes back byte for byte."""

ENC = dict(encoding="utf-8", errors="surrogateescape")
