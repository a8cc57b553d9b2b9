"""The one Kbuild layer under the matrix, boot and the per-commit walk:
the arch table (table), configuring (config), the make command and its
wrappers (make), what a build said (diagnostics), the fixups of old trees
(fixups), which objects a configured tree builds (makefiles) and which of
them a change reaches (select), and running makes (proc, jobserver)."""
